package main

import (
	"os"
	"strings"

	"github.com/auditlog-go/auditlog/tools/logformat"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/spf13/pflag"
)

// convertJSONArgs rewrites the command line so that oslo.log's convert-json
// flags mean what they mean there, where pflag alone would read them
// otherwise:
//
//   - --levels ERROR WARNING: convert-json's --levels takes several words.
//     After the first, each further word that is a level name (what
//     logline.ParseLevel reads) is one more level; the first other word
//     ends the list, so "--levels ERROR WARNING nova.log" still reads
//     nova.log.
//   - --loggers nova.compute oslo_messaging: likewise; a further word is a
//     logger name while it looks like one (letters, digits, _ . -) and no
//     file of that name exists.
//   - -f without a format: convert-json's -f is --follow. When the word
//     after -f is a file that exists and neither a preset nor a format
//     string (it has no %), or there is no word, or it is a flag, -f means
//     --follow and the word stays where it is (a file to read). -f
//     convert-json, -f summary and -f '%(message)s' are formats as before,
//     and any other word is still a bad format; --format is always one.
//   - -c: convert-json's --color.
//
// Flags that take a value are skipped with their value, and "--" ends the
// flags, so a value or a file name that looks like one of these is left
// alone.
func convertJSONArgs(args []string, fs *pflag.FlagSet) []string {
	out := make([]string, 0, len(args))
	takesValue := func(f *pflag.Flag) bool { return f != nil && f.NoOptDefVal == "" && f.Value.Type() != "bool" }
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "-c":
			out = append(out, "--color")
		case a == "-f":
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !isFile(args[i+1]) {
				out = append(out, a, args[i+1])
				i++
			} else {
				out = append(out, "--follow")
			}
		case a == "--levels" || a == "--loggers":
			if i+1 >= len(args) || strings.HasPrefix(args[i+1], "-") {
				continue // convert-json's nargs='*': no words, no filter
			}
			more := isLevelWord
			if a == "--loggers" {
				more = isLoggerWord
			}
			out = append(out, a+"="+args[i+1])
			i++
			for i+1 < len(args) && more(args[i+1]) {
				out = append(out, a+"="+args[i+1])
				i++
			}
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			out = append(out, a)
			if takesValue(fs.Lookup(a[2:])) && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		case len(a) == 2 && a[0] == '-' && a[1] != '-':
			out = append(out, a)
			if takesValue(fs.ShorthandLookup(a[1:])) && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// isFile reports whether s, after -f, is a file to follow rather than a
// format.
func isFile(s string) bool {
	if _, ok := logformat.Preset(s); ok || strings.Contains(s, "%") {
		return false
	}
	st, err := os.Stat(s)
	return err == nil && !st.IsDir()
}

func isLevelWord(s string) bool {
	_, _, ok := logline.ParseLevel(s)
	return ok && !strings.HasPrefix(s, "-")
}

func isLoggerWord(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	_, err := os.Stat(s)
	return err != nil
}
