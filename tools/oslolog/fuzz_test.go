package oslolog

import (
	"cmp"
	"errors"
	"strings"
	"testing"
	"time"
)

var fuzzSeeds = []string{
	head, trace1, trace2, trace3, access,
	"2013-09-27 18:26:39.811 AUDIT nova.api.openstack.compute.contrib.volumes [req-2d3e demo demo] Create volume of 1 GB",
	"nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-3810 113d 54fa - - -] 10.11.10.1 \"GET /v2/servers/detail HTTP/1.1\" status: 200\r",
	"2023-05-06 07:08:09.010 77 INFO nova.compute.claims [None req-1 admin admin - all default default] [instance: 42] Claim successful",
	"2015-11-12 13:18:46.998 18756 TRACE nova.compute.manager [instance: 832a]   File \"x\"",
	"2015-10-29T10:00:00,123456 1 WARNING x [-] a",
	"2015-11-12 20:12:21.530 16482 TRAC2015-11-12 20:12:21.530 16480 ERROR nova.api.openstack [req-db59 - - - - -] Caught error",
	"2015-10-29 10:00:00.123 4567 INFO nova [req-1 u p - - - cut off",
	"2021-06-01 08:00:00.000 9 INFO nova.compute.manager [req-1 用户 项目 - - -] VM 已开始 ✓",
	"  <host>",
	"",
}

func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseLine([]byte(line), nil)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("err = %#v, want a *ParseError with a reason", err)
			}
			if r.Time != (time.Time{}) || r.Lines != 0 {
				t.Fatalf("a record with the error: %+v", r)
			}
			return
		}
		checkSubstrings(t, line, r)
		if r.Level == "" || r.Logger == "" || r.Lines != 1 || r.PID < 0 {
			t.Fatalf("record %+v", r)
		}
		// Time is valid and is what the line says; it is zero only for
		// the first instant of year 1.
		if r.Time.Year() < 1 || r.Time.Year() > 9999 || r.Time.Location() != time.UTC {
			t.Fatalf("Time %v", r.Time)
		}
		if !strings.Contains(line, r.Time.Format("2006-01-02")) || !strings.Contains(line, r.Time.Format("15:04:05")) {
			t.Fatalf("Time %v is not in %q", r.Time, line)
		}
		if !r.Millis && r.Time.Nanosecond() != 0 {
			t.Fatalf("Time %v has a fraction but Millis is false", r.Time)
		}
		// The message ends the line.
		if !strings.HasSuffix(strings.TrimSuffix(line, "\r"), r.Message) {
			t.Fatalf("Message %q does not end %q", r.Message, line)
		}
		if r.Context.RequestID != "" && !strings.HasPrefix(r.Context.RequestID, "req-") {
			t.Fatalf("RequestID %q", r.Context.RequestID)
		}
	})
}

func FuzzGrouper(f *testing.F) {
	f.Add(strings.Join(fuzzSeeds, "\n"))
	f.Add(strings.Join([]string{"junk", head, trace1, "body", "", trace2, access, trace3}, "\r\n"))
	f.Add("x.log 2015-11-13 03:22:26.973 16482 ERROR n [-] a\nx.log 2015-11-13 03:22:26.973 16482 ERROR n b\nc\n")
	f.Fuzz(func(t *testing.T, data string) {
		lines := strings.Split(data, "\n")
		g := NewGrouper(&GrouperOptions{MaxExtraLines: 3, MaxExtraBytes: 64})
		var recs []Record
		for i, l := range lines {
			if r, ok := g.Add("f", int64(i+1), []byte(l)); ok {
				recs = append(recs, r)
			}
		}
		if r, ok := g.Flush(); ok {
			recs = append(recs, r)
		}
		s := g.Stats()
		var spanned, continued int64
		next := int64(1) // records come in order and do not overlap
		for _, r := range recs {
			if r.Line < next || r.Lines < 1 || r.Line+int64(r.Lines)-1 > int64(len(lines)) {
				t.Fatalf("record at %d spans %d lines, after line %d of %d", r.Line, r.Lines, next-1, len(lines))
			}
			next = r.Line + int64(r.Lines)
			spanned += int64(r.Lines)
			continued += int64(len(r.Extra) + r.Dropped)
			if r.Lines != 1+len(r.Extra)+r.Dropped || len(r.Extra) > 3 || len(strings.Join(r.Extra, "")) > 64 {
				t.Fatalf("record %+v", r)
			}
			// The first line is what ParseLine makes of it.
			want, err := ParseLine([]byte(lines[r.Line-1]), nil)
			if err != nil {
				t.Fatalf("line %d starts a record but: %v", r.Line, err)
			}
			want.File, want.Source, want.Line, want.Lines, want.Extra, want.Dropped = "f", cmp.Or(want.Source, "f"), r.Line, r.Lines, r.Extra, r.Dropped
			if diff := diffRecord(want, r); diff != "" {
				t.Fatalf("line %d (-ParseLine +Grouper):\n%s", r.Line, diff)
			}
			// Extra holds the lines that follow, in order, some perhaps
			// dropped.
			k := 0
			for _, l := range lines[r.Line : r.Line-1+int64(r.Lines)] {
				if k < len(r.Extra) && r.Extra[k] == strings.TrimSuffix(l, "\r") {
					k++
				}
			}
			if k != len(r.Extra) {
				t.Fatalf("line %d: Extra %q is not in the lines after it", r.Line, r.Extra)
			}
		}
		if spanned+s.Malformed != s.Lines || s.Lines != int64(len(lines)) || s.Records != int64(len(recs)) || s.Continued != continued {
			t.Fatalf("stats %+v, %d records spanning %d lines, %d continued", s, len(recs), spanned, continued)
		}
		// A line that parses is never malformed.
		for _, m := range s.MalformedAt {
			for n := m.From; n <= m.To; n++ {
				if _, err := ParseLine([]byte(lines[n-1]), nil); err == nil {
					t.Fatalf("line %d is malformed but parses", n)
				}
			}
		}
	})
}
