# Shared by the start-up benchmarks (sourced): a hello-world jar as the baseline, timing, medians.

# hello_jar DIR: builds DIR/hello.jar, the smallest Java program there is, run with default flags.
hello_jar() {
  mkdir -p "$1/hello"
  printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' > "$1/hello/Hello.java"
  javac -d "$1/hello" "$1/hello/Hello.java"
  printf 'Main-Class: Hello\n' > "$1/manifest"
  jar cfm "$1/hello.jar" "$1/manifest" -C "$1/hello" Hello.class
}

now_ms() { date +%s%N | cut -c1-13; }
# time_ms COMMAND...: wall milliseconds of one run, output discarded
time_ms() { s=$(now_ms); "$@" >/dev/null 2>&1; e=$(now_ms); echo $((e - s)); }
# median < numbers
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }
