package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// convert-json's flags read as they do there, and files still read as files.
func TestConvertJSONArgs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile(filepath.Join(dir, "nova.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args  []string
		check func(o *options) bool
		what  string
	}{
		{[]string{"--levels", "ERROR", "WARNING", "nova.json"}, func(o *options) bool {
			return reflect.DeepEqual(o.levels, []string{"ERROR", "WARNING"}) && reflect.DeepEqual(o.names, []string{"nova.json"})
		}, "levels ERROR WARNING, file nova.json"},
		{[]string{"nova.json", "--levels", "ERROR,CRITICAL", "debug"}, func(o *options) bool {
			return reflect.DeepEqual(o.levels, []string{"ERROR", "CRITICAL", "debug"}) && len(o.names) == 1
		}, "commas and words"},
		{[]string{"--levels", "ERROR", "--", "WARNING"}, func(o *options) bool {
			return reflect.DeepEqual(o.levels, []string{"ERROR"}) && reflect.DeepEqual(o.names, []string{"WARNING"})
		}, "-- ends the words"},
		{[]string{"--loggers", "nova.compute", "oslo_messaging", "nova.json"}, func(o *options) bool {
			return reflect.DeepEqual(o.services, []string{"nova.compute", "oslo_messaging"}) && reflect.DeepEqual(o.names, []string{"nova.json"})
		}, "loggers stop at an existing file"},
		{[]string{"--levels", "--loggers", "nova"}, func(o *options) bool {
			return len(o.levels) == 0 && reflect.DeepEqual(o.services, []string{"nova"})
		}, "--levels with no words is no filter"},
		{[]string{"-f", "nova.json"}, func(o *options) bool {
			return o.in.Follow && o.format == "summary" && reflect.DeepEqual(o.names, []string{"nova.json"})
		}, "-f before a file is --follow"},
		{[]string{"-f"}, func(o *options) bool { return o.in.Follow }, "-f alone is --follow"},
		{[]string{"-f", "--levels", "ERROR"}, func(o *options) bool { return o.in.Follow && len(o.levels) == 1 }, "-f before a flag"},
		{[]string{"-f", "convert-json", "nova.json"}, func(o *options) bool { return !o.in.Follow && o.format == "convert-json" }, "-f preset"},
		{[]string{"-f", "%(message)s"}, func(o *options) bool { return !o.in.Follow && o.format == "%(message)s" }, "-f format"},
		{[]string{"--missing", "-f", "nova.json"}, func(o *options) bool { return o.missing == "-f" && !o.in.Follow }, "a flag's value is left alone"},
		{[]string{"-c", "nova.json"}, func(o *options) bool { return o.in.Color == cli.ColorAlways }, "-c is --color"},
		{[]string{"--prefix", "%(name)s", "nova.json"}, func(o *options) bool { return o.format == "convert-json" && o.prefix == "%(name)s" }, "--prefix is convert-json"},
		{[]string{"-f", "convert-json", "nova.json"}, func(o *options) bool { return o.missing == "" }, "convert-json prints missing keys as nothing"},
	} {
		o, _, err := parse(c.args, cli.IO{Out: os.Stderr, Err: os.Stderr})
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !c.check(o) {
			t.Errorf("%q: want %s, got %+v", c.args, c.what, o)
		}
	}
	for _, bad := range [][]string{
		{"-f", "nosuch"}, {"--prefix", "%(x)s", "-f", "short"}, {"--traceback", "--no-traceback"},
	} {
		var errOut strings.Builder
		if code := run(bad, cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: &errOut}); code != cli.ExitUsage || errOut.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", bad, code, errOut.String())
		}
	}
}
