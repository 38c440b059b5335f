package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"log-expand": main,
	})
}

// TestScript runs the real command, as a separate process, through the
// scripts in testdata/script: standard input, files, exit codes, a reader
// that goes away (| head), --follow, --help.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"genlines": genlines,
			"sleep":    sleep,
			"append":   appendFile,
		},
	})
}

// genlines N file writes N audit lines of about 340 bytes to file.
func genlines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: genlines N file")
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"action":"pause","context":{"remote_addr":"10.0.0.7:51234","request_id":"req-%08d"},"duration_ms":1.5,"kind":"request","level":"INFO","message":"POST /v2.1/servers/5f1e0b9c/action","rpc":{"method":"POST","route":"/v2.1/servers/{id}/action","system":"http"},"schema_version":1,"seq":%d,"service":"nova-api","status":202}`+"\n", i, i+1)
	}
	if err := os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
}

// sleep d waits for the duration d (such as 300ms).
func sleep(ts *testscript.TestScript, neg bool, args []string) {
	d, err := time.ParseDuration(args[0])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	time.Sleep(d)
}

// append from to appends the content of file from to file to.
func appendFile(ts *testscript.TestScript, neg bool, args []string) {
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		ts.Fatalf("%v", err)
	}
	defer f.Close()
	if _, err := f.WriteString(ts.ReadFile(args[0])); err != nil {
		ts.Fatalf("%v", err)
	}
}

// TestRunHelp checks run's contract directly: --help on stdout, exit 0.
func TestRunHelp(t *testing.T) {
	var out, errOut strings.Builder
	if code := run([]string{"--help"}, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "Examples:") || errOut.Len() > 0 {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
}
