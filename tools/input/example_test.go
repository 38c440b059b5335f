package input_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/auditlog-go/auditlog/tools/input"
)

// Lines from `grep -Hn -A1` arrive with grep's prefix split off, so the JSON
// can be formatted and the prefix printed as it was.
func ExampleOpen() {
	grepOutput := "api.log:12:{\"msg\":\"start\"}\r\n" +
		"api.log-13-{\"msg\":\"next\"}\n" +
		"--\n" +
		"api.log:40:2015-10-29 10:00:00 INFO body: {\"a\": 1}\n"
	r := input.Open(context.Background(), nil, input.Options{Stdin: strings.NewReader(grepOutput)})
	defer r.Close()
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		fmt.Printf("%d prefix=%q json=%v sep=%v text=%s\n", l.Num, l.Prefix, l.IsJSONObject(), l.GroupSep, l.Text)
	}
	if err := r.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// 1 prefix="api.log:12:" json=true sep=false text={"msg":"start"}
	// 2 prefix="api.log-13-" json=true sep=false text={"msg":"next"}
	// 3 prefix="" json=false sep=true text=--
	// 4 prefix="" json=false sep=false text=api.log:40:2015-10-29 10:00:00 INFO body: {"a": 1}
}

// An input that cannot be read is reported and the others are still read.
func ExampleSourceError() {
	r := input.Open(context.Background(), []string{"nope.log", "-"}, input.Options{
		Stdin:   strings.NewReader("{}\n"),
		OnError: func(err error) { fmt.Println("error:", err) },
	})
	defer r.Close()
	for l, ok := r.Next(); ok; l, ok = r.Next() {
		fmt.Printf("%s:%d: %s\n", l.Source, l.Num, l.Text)
	}
	// Output:
	// error: nope.log: open nope.log: no such file or directory
	// -:1: {}
}
