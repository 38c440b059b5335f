package serve

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func TestParseQuery(t *testing.T) {
	f := func(field string, not bool, vals ...string) events.Filter {
		return events.Filter{Field: field, Values: vals, Not: not}
	}
	for _, tc := range []struct {
		query string
		want  events.Query
	}{
		{"", events.Query{}},
		{"resource_id=abc", events.Query{Filters: []events.Filter{f("target_id", false, "abc")}}},
		{"event_type=create,delete", events.Query{Filters: []events.Filter{f("action", false, "create", "delete")}}},
		{"outcome=!success", events.Query{Filters: []events.Filter{f("outcome", true, "success")}}},
		{"resource_state=ACTIVE,error", events.Query{Filters: []events.Filter{f("outcome", false, "success", "failure")}}},
		{"status=404,500", events.Query{Filters: []events.Filter{f("status", false, "404", "500")}}},
		{"status=!failure", events.Query{Filters: []events.Filter{f("outcome", true, "failure")}}},
		{"level=warn", events.Query{MinLevel: "WARNING"}},
		{"level=ERROR,critical", events.Query{Filters: []events.Filter{f("level", false, "ERROR", "CRITICAL")}}},
		{"kind=Request", events.Query{Filters: []events.Filter{f("kind", false, "request")}}},
		{"user=a&user=!b", events.Query{Filters: []events.Filter{f("user", false, "a"), f("user", true, "b")}}},
		{"start-time=2026-11-27T08:00:00Z&end-time=1h", events.Query{
			Since: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC), Until: now.Add(-time.Hour)}},
		{"since=2026-11-20&until=7d", events.Query{Since: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Until: now.AddDate(0, 0, -7)}},
		{"count=5&sort=time:desc", events.Query{Limit: 5, Desc: true}},
		{"limit=1000&sort=asc", events.Query{Limit: 1000}},
		{"q=Quota exceeded", events.Query{Text: "Quota exceeded"}},
		{"index=" + events.ContentID([]byte("x")), events.Query{After: events.Cursor{ID: events.ContentID([]byte("x"))}}},
	} {
		v, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseQuery(v, now)
		if err != nil {
			t.Errorf("%s: %v", tc.query, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.query, got, tc.want)
		}
		if err := events.CheckQuery(got); err != nil && len(got.Filters) > 0 {
			t.Errorf("%s: the store refuses what the parser made: %v", tc.query, err)
		}
	}
}

func TestParseQueryCursorRoundTrip(t *testing.T) {
	c := events.Cursor{Time: now, ID: events.ContentID([]byte("y"))}
	q, err := ParseQuery(url.Values{"after": {c.String()}}, now)
	if err != nil || q.After != c {
		t.Errorf("after=%s: %+v, %v", c, q.After, err)
	}
}

func TestParseQueryErrors(t *testing.T) {
	for _, tc := range []struct{ query, param, says string }{
		{"outcom=failure", "outcom", "unknown parameter"},
		{"limit=5&count=6", "limit", "more than once"},
		{"sort=asc&sort=desc", "sort", "more than once"},
		{"since=soon", "since", "not a time"},
		{"since=-1h", "since", "negative"},
		{"level=LOUD", "level", "unknown level"},
		{"status=200,failure", "status", "mixes"},
		{"resource_state=PENDING_CREATE", "resource_state", "unknown outcome"},
		{"format=xml", "format", "unknown format"},
		{"action=!", "action", "no value"},
		{"q=", "q", "empty"},
		{"until=2026-01-01&since=2026-02-01", "until", "empty"},
		{"target_id=" + strings.Repeat("a,", 200) + "a", "target_id", "more than 100"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, err := ParseQuery(v, now)
		var pe *ParamError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want a ParamError", tc.query, err)
			continue
		}
		if pe.Param != tc.param || !strings.Contains(pe.Error(), tc.says) || pe.Accepted == "" {
			t.Errorf("%s: %v (param %q), want %q saying %q and the accepted forms", tc.query, err, pe.Param, tc.param, tc.says)
		}
	}
}

func TestParseFilters(t *testing.T) {
	got, err := ParseFilters("outcome=failure&service=nova-api,glance-api&level=ERROR")
	want := []events.Filter{
		{Field: "level", Values: []string{"ERROR", "CRITICAL"}},
		{Field: "outcome", Values: []string{"failure"}},
		{Field: "service", Values: []string{"nova-api", "glance-api"}},
	}
	if err != nil || len(got) != 3 {
		t.Fatalf("%+v, %v", got, err)
	}
	// parseQuery walks names in order, so level's minimum comes last.
	if !reflect.DeepEqual(got[0], want[1]) || !reflect.DeepEqual(got[1], want[2]) || !reflect.DeepEqual(got[2], want[0]) {
		t.Errorf("got %+v", got)
	}
	if s := FiltersString(got[:2]); s != "outcome=failure&service=nova-api,glance-api" {
		t.Errorf("FiltersString: %q", s)
	}
	for _, bad := range []string{"", "since=1h", "limit=5", "colour=red", "outcome", "outcome=%zz"} {
		if _, err := ParseFilters(bad); err == nil {
			t.Errorf("ParseFilters(%q) took it", bad)
		}
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-11-27T08:00:00.5+01:00", time.Date(2026, 11, 27, 7, 0, 0, 5e8, time.UTC)},
		{"2026-11-27T08:00:00", time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)},
		{"2026-11-27", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)},
		{"90s", now.Add(-90 * time.Second)},
		{"1h30m", now.Add(-90 * time.Minute)},
		{"2d", now.AddDate(0, 0, -2)},
	} {
		got, err := ParseTime(tc.in, now)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzParseQuery: any query string gives a query the store takes, or a
// ParamError naming a parameter — never a panic, never another error.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"outcome=!success", "status=200,failure", "level=warn", "since=1h&until=2026-01-01",
		"index=abc", "count=0", "user=%ff", "since=9999999999d", "q=%00", "target_id=,", "sort=time:desc&limit=1000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := url.ParseQuery(s)
		if err != nil {
			return
		}
		q, err := ParseQuery(v, now)
		if err != nil {
			var pe *ParamError
			if _, unnamed := v[""]; !errors.As(err, &pe) || (pe.Param == "" && !unnamed) {
				t.Fatalf("%q: %v is not a ParamError naming a parameter", s, err)
			}
			return
		}
		q.Scope = events.Scope{All: true}
		if err := events.CheckQuery(q); err != nil {
			t.Fatalf("%q: the parser took it, the store does not: %v", s, err)
		}
	})
}
