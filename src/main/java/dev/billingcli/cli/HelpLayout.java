package dev.billingcli.cli;

import java.util.List;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi.Text;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Usage help whose option descriptions wrap at spaces only. picocli wraps with the JDK's line
 * BreakIterator, which breaks after '.', ':' and '/', so a default such as {@code ./.billing} or
 * {@code http://127.0.0.1:4242/webhook} could be cut in two; a path or URL is one word here.
 */
final class HelpLayout extends Help {
    HelpLayout(CommandSpec spec, ColorScheme colorScheme) {
        super(spec, colorScheme);
    }

    @Override
    public Layout createDefaultLayout() {
        return wordWrapping(super.createDefaultLayout());
    }

    @Override
    public Layout createDefaultLayout(List<OptionSpec> options, List<PositionalParamSpec> positionals, ColorScheme scheme) {
        return wordWrapping(super.createDefaultLayout(options, positionals, scheme));
    }

    private static Layout wordWrapping(Layout layout) {
        TextTable table = new SpaceWrappingTable(layout.colorScheme(), layout.textTable());
        return new Layout(layout.colorScheme(), table, layout.optionRenderer(), layout.parameterRenderer());
    }

    /** A table whose wrapping columns are split at spaces before picocli sees them: each piece then fits as it is. */
    static final class SpaceWrappingTable extends TextTable {
        private final ColorScheme scheme;

        SpaceWrappingTable(ColorScheme scheme, TextTable like) {
            super(scheme, like.columns());
            this.scheme = scheme;
            indentWrappedLines = like.indentWrappedLines;
            setAdjustLineBreaksForWideCJKCharacters(like.isAdjustLineBreaksForWideCJKCharacters());
        }

        @Override
        public Cell putValue(int row, int col, Text value) {
            Column column = columns()[col];
            int width = column.width - column.indent;
            if (value == null || column.overflow != Column.Overflow.WRAP || value.plainString().length() <= width) {
                return super.putValue(row, col, value);
            }
            String plain = value.plainString();
            Text indent = scheme.text(" ".repeat(indentWrappedLines));
            Cell cell = null;
            int start = 0;
            while (start < plain.length()) {
                int end = plain.length();
                if (end - start > width) {
                    int cut = plain.lastIndexOf(' ', start + width);
                    if (cut > start) {
                        end = cut; // else one word longer than the column: picocli cuts it, as it always did
                    }
                }
                Text piece = value.substring(start, end);
                if (row >= rowCount()) {
                    addEmptyRow();
                }
                cell = super.putValue(row, col, start == 0 ? piece : indent.concat(piece));
                row = cell.row + 1;
                start = end;
                while (start < plain.length() && plain.charAt(start) == ' ') {
                    start++;
                }
                width = column.width - column.indent - indentWrappedLines;
            }
            return cell;
        }
    }
}
