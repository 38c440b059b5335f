package oslolog

import (
	"fmt"
	"strings"
	"testing"
)

func sprint(v any) string { return fmt.Sprintf("%+v", v) }

// checkSubstrings fails unless every string of the first line of r is a
// substring of line.
func checkSubstrings(t testing.TB, line string, r Record) {
	t.Helper()
	c := r.Context
	for _, f := range []struct{ name, v string }{
		{"Source", r.Source}, {"Level", r.Level}, {"Logger", r.Logger}, {"Instance", r.Instance}, {"Message", r.Message},
		{"Context.Raw", c.Raw}, {"RequestID", c.RequestID}, {"GlobalRequestID", c.GlobalRequestID}, {"User", c.User},
		{"Project", c.Project}, {"Domain", c.Domain}, {"SystemScope", c.SystemScope}, {"UserDomain", c.UserDomain},
		{"ProjectDomain", c.ProjectDomain},
	} {
		if !strings.Contains(line, f.v) {
			t.Errorf("%s %q is not in the line %q", f.name, f.v, line)
		}
	}
}
