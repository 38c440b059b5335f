package main

import (
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestNoCredentialInOutput runs log-expand over every real sample that holds a
// credential (tokens in curl lines and responses, passwords in request
// bodies and URLs) and checks that none of them reaches the output, in each
// of its output forms: blocks, --flatten statements, and --unflatten, which
// passes the sample's lines through since they are no statements.
func TestNoCredentialInOutput(t *testing.T) {
	for _, args := range [][]string{{"--color=never"}, {"--flatten"}, {"--unflatten"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			leakcheck.CheckCommand(t, run, args...)
		})
	}
}

// TestUnflattenHidesCredentials: statements that carry a credential (from
// --flatten --show-secrets, or written by hand) are hidden when rebuilt,
// unless --show-secrets; the exact round trip needs it on both sides.
func TestUnflattenHidesCredentials(t *testing.T) {
	in := `json = {}
json.context = {}
json.context.auth_token = "gAAAAABk0secret"
json.context.user = "alice"
json.message = "curl -H 'X-Auth-Token: abcdef0123456789' http://nova/"
json.password = ""
json.token = null
a text line password=hunter2
`
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--unflatten"}, `{"context":{"auth_token":"[REDACTED]","user":"alice"},"message":"curl -H 'X-Auth-Token: [REDACTED]' http://nova/","password":"","token":null}` + "\n" +
			"a text line password=[REDACTED]\n"},
		{[]string{"--unflatten", "--show-secrets"}, `{"context":{"auth_token":"gAAAAABk0secret","user":"alice"},"message":"curl -H 'X-Auth-Token: abcdef0123456789' http://nova/","password":"","token":null}` + "\n" +
			"a text line password=hunter2\n"},
	} {
		var out, errb strings.Builder
		code := run(tc.args, cli.IO{In: strings.NewReader(in), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
		if code != 0 || out.String() != tc.want {
			t.Errorf("log-expand %v: exit %d, stderr %q\n got %q\nwant %q", tc.args, code, errb.String(), out.String(), tc.want)
		}
	}
}
