package serve

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/tools/events"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// maxValues caps the values of one filter, so that one request cannot
// build a statement with a million placeholders.
const maxValues = 100

// parseFilter reads one filter value: "v", "a,b" (any of them), "!v" or
// "!a,b" (none of them), for the canonical field. Values are checked
// where the field has a closed set (level, kind, outcome, format,
// status), so a typo is a 400 rather than an empty page. The errors are
// reasons, for a [ParamError].
func parseFilter(field, val string) (events.Filter, error) {
	f := events.Filter{Field: field}
	if rest, ok := strings.CutPrefix(val, "!"); ok {
		f.Not, val = true, rest
	}
	if val == "" {
		return f, errors.New("no value")
	}
	if !utf8.ValidString(val) {
		return f, errors.New("not UTF-8")
	}
	parts := strings.Split(val, ",")
	if len(parts) > maxValues {
		return f, fmt.Errorf("more than %d values", maxValues)
	}
	var numeric, words int
	for _, v := range parts {
		if v == "" {
			return f, errors.New("an empty value in the list")
		}
		switch field {
		case "level":
			l, ok := normLevel(v)
			if !ok {
				return f, fmt.Errorf("unknown level %q", v)
			}
			v = l
		case "kind":
			v = strings.ToLower(v)
			if !isKind(v) {
				return f, fmt.Errorf("unknown kind %q", v)
			}
		case "format":
			v = strings.ToLower(v)
			if v != events.FormatAudit && v != events.FormatOsloJSON && v != events.FormatOsloText {
				return f, fmt.Errorf("unknown format %q", v)
			}
		case "outcome":
			o, ok := normOutcome(v)
			if !ok {
				return f, fmt.Errorf("unknown outcome %q", v)
			}
			v = o
		case "status":
			// Tacker's status is a resource state; ours is the HTTP or
			// gRPC status. A number is ours, a word an outcome.
			if n, err := strconv.Atoi(v); err == nil {
				if n < 0 || n > 999 {
					return f, fmt.Errorf("status %d is outside 0 to 999", n)
				}
				v = strconv.Itoa(n)
				numeric++
			} else if o, ok := normOutcome(v); ok {
				v = o
				words++
			} else {
				return f, fmt.Errorf("%q is neither a status number nor an outcome", v)
			}
		}
		f.Values = append(f.Values, v)
	}
	if field == "status" {
		if numeric > 0 && words > 0 {
			return f, errors.New("mixes status numbers and outcomes; give them as status= and outcome=")
		}
		if words > 0 {
			f.Field = "outcome"
		}
	}
	return f, nil
}

func normLevel(s string) (string, bool) {
	l := strings.ToUpper(s)
	switch l {
	case "WARN":
		l = "WARNING"
	case "FATAL", "CRIT":
		l = "CRITICAL"
	}
	_, ok := events.LevelRank(l)
	return l, ok && l != ""
}

// normOutcome reads an outcome, and Tacker's two resource states that
// say how a lifecycle operation ended: ACTIVE (it worked) and ERROR (it
// did not). Its PENDING_* states say an operation is under way, which no
// line records as an outcome, so they are refused rather than guessed.
func normOutcome(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "success", "active":
		return "success", true
	case "failure", "error":
		return "failure", true
	case "unknown":
		return "unknown", true
	}
	return "", false
}

func isKind(s string) bool {
	switch s {
	case "log", "request", "rpc", "db", "exception", "lifecycle":
		return true
	}
	return false
}

// ParseTime reads a time parameter as every command reads a time
// ([cli.ParseWhen]), zoneless times in UTC; empty is an error here.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty time")
	}
	t, err := cli.ParseWhen(s, now, time.UTC)
	return t.UTC(), err
}

// keepFields are what a --keep filter may name: the filter parameters,
// not the window or the page.
var keepFields = map[string]bool{}

func init() {
	for f := range filterFields {
		keepFields[f] = true
	}
}

// ParseFilters reads a set of filters in the API's grammar, as a query
// string: "outcome=failure", "outcome=failure&service=nova-api",
// "action=!read". All must hold. It is what purge --keep takes, so that
// the command line and the API read filters one way.
func ParseFilters(s string) ([]events.Filter, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty filter: give field=value, e.g. outcome=failure")
	}
	v, err := url.ParseQuery(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", s, err)
	}
	for name, vals := range v {
		for _, x := range vals {
			if x == "" && !strings.Contains(s, name+"=") {
				return nil, fmt.Errorf("%q: %q has no value: give %s=value", s, name, name)
			}
		}
	}
	q, err := parseQuery(v, time.Time{}, keepFields)
	if err != nil {
		return nil, err
	}
	fs := q.Filters
	if q.MinLevel != "" {
		// A single level is a minimum in the API; as a filter of its own
		// it keeps that level and above.
		r, _ := events.LevelRank(q.MinLevel)
		fs = append(fs, events.Filter{Field: "level", Values: events.Levels()[r:]})
	}
	return fs, nil
}

// clip cuts s to at most n bytes, on a rune boundary, marked with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
