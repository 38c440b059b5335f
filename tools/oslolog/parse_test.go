package oslolog

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999999999", s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	reqA = "req-38101a0b-2096-447d-96ea-a692162415ae"
	reqB = "req-4f2667be-d397-4819-a731-a3c7a5182fec"
	uid  = "113d3a99c3da401fbd62cc2caa5b96d2"
	pid  = "54fadb412c4e40cdbaed9335e4c35a9e"
	uuid = "832a516b-4f20-4475-9532-4cf3e9feb3e8"
)

// TestParseLine holds one case per shape: every context the package doc
// lists (taken from the samples where they have it), the Loghub form, lines
// without a PID, timestamps, instance, unicode.
func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       Record
	}{{
		name: "user project - - -",
		line: "2015-11-12 12:45:48.508 16482 INFO nova.osapi_compute.wsgi.server [" + reqA + " " + uid + " " + pid + ` - - -] 10.211.55.142 "GET /v2/servers/detail HTTP/1.1" status: 200 len: 211 time: 0.6861050`,
		want: Record{Time: ts("2015-11-12 12:45:48.508"), Millis: true, PID: 16482, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server",
			Context: Context{RequestID: reqA, User: uid, Project: pid, Raw: reqA + " " + uid + " " + pid + " - - -"},
			Message: `10.211.55.142 "GET /v2/servers/detail HTTP/1.1" status: 200 len: 211 time: 0.6861050`},
	}, {
		name: "- - - - -",
		line: "2022-02-04 09:37:50.159 21562 ERROR oslo.messaging._drivers.impl_rabbit [" + reqA + " - - - - -] Connection failed",
		want: Record{Time: ts("2022-02-04 09:37:50.159"), Millis: true, PID: 21562, Level: "ERROR", Logger: "oslo.messaging._drivers.impl_rabbit",
			Context: Context{RequestID: reqA, Raw: reqA + " - - - - -"}, Message: "Connection failed"},
	}, {
		name: "[-]",
		line: "2015-10-29 10:53:08.147 29022 INFO nova.compute.manager [-] [instance: " + uuid + "] VM Started (Lifecycle Event)",
		want: Record{Time: ts("2015-10-29 10:53:08.147"), Millis: true, PID: 29022, Level: "INFO", Logger: "nova.compute.manager",
			Context: Context{Raw: "-"}, Instance: uuid, Message: "VM Started (Lifecycle Event)"},
	}, {
		name: "req None",
		line: "2015-10-29 10:51:11.644 4470 DEBUG nova.api.openstack.wsgi [" + reqA + " None] Calling method _process_stack /usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py:783",
		want: Record{Time: ts("2015-10-29 10:51:11.644"), Millis: true, PID: 4470, Level: "DEBUG", Logger: "nova.api.openstack.wsgi",
			Context: Context{RequestID: reqA, Raw: reqA + " None"}, Message: "Calling method _process_stack /usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py:783"},
	}, {
		name: "request id only",
		line: "2015-10-29 10:51:12.000 3405 INFO neutron.wsgi [" + reqA + "] 10.12.27.29 - - [29/Oct/2015 10:51:12] \"GET /v2.0/ports.json HTTP/1.1\" 200 1234 0.1",
		want: Record{Time: ts("2015-10-29 10:51:12"), Millis: true, PID: 3405, Level: "INFO", Logger: "neutron.wsgi",
			Context: Context{RequestID: reqA, Raw: reqA}, Message: "10.12.27.29 - - [29/Oct/2015 10:51:12] \"GET /v2.0/ports.json HTTP/1.1\" 200 1234 0.1"},
	}, {
		name: "names, no PID (devstack screen log)",
		line: "2013-09-27 18:26:39.811 AUDIT nova.api.openstack.compute.contrib.volumes [" + reqB + " ServerRescueTestJSON1905368202-user ServerRescueTestJSON586693665-tenant] Create volume of 1 GB",
		want: Record{Time: ts("2013-09-27 18:26:39.811"), Millis: true, Level: "AUDIT", Logger: "nova.api.openstack.compute.contrib.volumes",
			Context: Context{RequestID: reqB, User: "ServerRescueTestJSON1905368202-user", Project: "ServerRescueTestJSON586693665-tenant",
				Raw: reqB + " ServerRescueTestJSON1905368202-user ServerRescueTestJSON586693665-tenant"},
			Message: "Create volume of 1 GB"},
	}, {
		name: "None None",
		line: "2013-09-27 18:22:39.743 INFO nova.osapi_compute.wsgi.server [" + reqB + " None None] 127.0.0.1 \"GET /v2/ HTTP/1.1\" status: 200",
		want: Record{Time: ts("2013-09-27 18:22:39.743"), Millis: true, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server",
			Context: Context{RequestID: reqB, Raw: reqB + " None None"}, Message: "127.0.0.1 \"GET /v2/ HTTP/1.1\" status: 200"},
	}, {
		name: "default default",
		line: "2019-03-01 10:00:00.001 12 INFO nova.api.openstack.requestlog [" + reqA + " " + uid + " " + pid + " - default default] 10.0.0.1 \"DELETE /v2.1/servers/" + uuid + "\" status: 204",
		want: Record{Time: ts("2019-03-01 10:00:00.001"), Millis: true, PID: 12, Level: "INFO", Logger: "nova.api.openstack.requestlog",
			Context: Context{RequestID: reqA, User: uid, Project: pid, UserDomain: "default", ProjectDomain: "default", Raw: reqA + " " + uid + " " + pid + " - default default"},
			Message: "10.0.0.1 \"DELETE /v2.1/servers/" + uuid + "\" status: 204"},
	}, {
		name: "global request id, system scope",
		line: "2023-05-06 07:08:09.010 77 INFO nova.api.openstack.requestlog [" + reqB + " " + reqA + " " + uid + " " + pid + " - - default default] [instance: " + uuid + "] m",
		want: Record{Time: ts("2023-05-06 07:08:09.01"), Millis: true, PID: 77, Level: "INFO", Logger: "nova.api.openstack.requestlog",
			Context: Context{GlobalRequestID: reqB, RequestID: reqA, User: uid, Project: pid, UserDomain: "default", ProjectDomain: "default",
				Raw: reqB + " " + reqA + " " + uid + " " + pid + " - - default default"},
			Instance: uuid, Message: "m"},
	}, {
		name: "no global request id (None), system scope all",
		line: "2023-05-06 07:08:09.010 77 INFO nova.compute.claims [None " + reqA + " admin admin - all default default] Claim successful",
		want: Record{Time: ts("2023-05-06 07:08:09.01"), Millis: true, PID: 77, Level: "INFO", Logger: "nova.compute.claims",
			Context: Context{RequestID: reqA, User: "admin", Project: "admin", SystemScope: "all", UserDomain: "default", ProjectDomain: "default",
				Raw: "None " + reqA + " admin admin - all default default"},
			Message: "Claim successful"},
	}, {
		name: "devstack names with None global id",
		line: "2023-05-06 07:08:09.010 77 INFO nova.compute.claims [None " + reqA + " admin admin] Claim successful",
		want: Record{Time: ts("2023-05-06 07:08:09.01"), Millis: true, PID: 77, Level: "INFO", Logger: "nova.compute.claims",
			Context: Context{RequestID: reqA, User: "admin", Project: "admin", Raw: "None " + reqA + " admin admin"},
			Message: "Claim successful"},
	}, {
		name: "traceback line, no context, instance",
		line: "2015-11-12 13:18:46.998 18756 TRACE nova.compute.manager [instance: " + uuid + "]   File \"/usr/lib/python2.7/site-packages/nova/compute/manager.py\", line 5677",
		want: Record{Time: ts("2015-11-12 13:18:46.998"), Millis: true, PID: 18756, Level: "TRACE", Logger: "nova.compute.manager",
			Instance: uuid, Message: "  File \"/usr/lib/python2.7/site-packages/nova/compute/manager.py\", line 5677"},
	}, {
		name: "traceback line, empty message",
		line: "2015-11-13 03:22:26.930 16481 TRACE nova.api.openstack ",
		want: Record{Time: ts("2015-11-13 03:22:26.93"), Millis: true, PID: 16481, Level: "TRACE", Logger: "nova.api.openstack"},
	}, {
		name: "logger at the end of the line",
		line: "2015-11-13 03:22:26.930 16481 TRACE nova.api.openstack",
		want: Record{Time: ts("2015-11-13 03:22:26.93"), Millis: true, PID: 16481, Level: "TRACE", Logger: "nova.api.openstack"},
	}, {
		name: "message in brackets is not a context",
		line: "2015-11-13 03:22:26.930 16481 TRACE neutron [u'a', u'b'] is not valid",
		want: Record{Time: ts("2015-11-13 03:22:26.93"), Millis: true, PID: 16481, Level: "TRACE", Logger: "neutron", Message: "[u'a', u'b'] is not valid"},
	}, {
		name: "Loghub, CRLF",
		line: "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [" + reqA + " " + uid + " " + pid + " - - -] 10.11.10.1 \"GET /v2/" + pid + "/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829\r",
		want: Record{Source: "nova-api.log.1.2017-05-16_13:53:08", Time: ts("2017-05-16 00:00:00.008"), Millis: true, PID: 25746, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server",
			Context: Context{RequestID: reqA, User: uid, Project: pid, Raw: reqA + " " + uid + " " + pid + " - - -"},
			Message: "10.11.10.1 \"GET /v2/" + pid + "/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829"},
	}, {
		name: "Loghub, instance",
		line: "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.500 2931 INFO nova.compute.manager [" + reqA + " - - - - -] [instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] VM Started (Lifecycle Event)",
		want: Record{Source: "nova-compute.log.1.2017-05-16_13:55:31", Time: ts("2017-05-16 00:00:04.5"), Millis: true, PID: 2931, Level: "INFO", Logger: "nova.compute.manager",
			Context: Context{RequestID: reqA, Raw: reqA + " - - - - -"}, Instance: "b9000564-fe1a-409b-b8cc-1e88b294cd1d", Message: "VM Started (Lifecycle Event)"},
	}, {
		name: "comma, microseconds, no fraction, T",
		line: "2015-10-29T10:00:00,123456 1 WARNING x [-] a",
		want: Record{Time: ts("2015-10-29 10:00:00.123456"), Millis: true, PID: 1, Level: "WARNING", Logger: "x", Context: Context{Raw: "-"}, Message: "a"},
	}, {
		name: "no fraction",
		line: "2016-02-29 23:59:59 4 CRITICAL nova [-] boom",
		want: Record{Time: ts("2016-02-29 23:59:59"), PID: 4, Level: "CRITICAL", Logger: "nova", Context: Context{Raw: "-"}, Message: "boom"},
	}, {
		name: "more than nine fraction digits",
		line: "2016-02-29 23:59:59.1234567891 4 INFO nova [-] m",
		want: Record{Time: ts("2016-02-29 23:59:59.123456789"), Millis: true, PID: 4, Level: "INFO", Logger: "nova", Context: Context{Raw: "-"}, Message: "m"},
	}, {
		name: "unicode",
		line: "2021-06-01 08:00:00.000 9 INFO nova.compute.manager [" + reqA + " 用户 项目 - - -] [instance: " + uuid + "] VM 已开始 (Lifecycle Event) ✓",
		want: Record{Time: ts("2021-06-01 08:00:00"), Millis: true, PID: 9, Level: "INFO", Logger: "nova.compute.manager",
			Context: Context{RequestID: reqA, User: "用户", Project: "项目", Raw: reqA + " 用户 项目 - - -"}, Instance: uuid, Message: "VM 已开始 (Lifecycle Event) ✓"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseLine([]byte(tc.line), nil)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Lines = 1
			if diff := diffRecord(tc.want, got); diff != "" {
				t.Errorf("%s\n(-want +got):\n%s", tc.line, diff)
			}
			// Every string is a substring of the line.
			checkSubstrings(t, tc.line, got)
		})
	}
}

// diffRecord lists the fields that differ, "-want +got".
func diffRecord(want, got Record) string {
	var b strings.Builder
	field := func(name string, w, g any) {
		if w != g {
			b.WriteString("  " + name + ":\n    -" + strings.TrimSpace(sprint(w)) + "\n    +" + strings.TrimSpace(sprint(g)) + "\n")
		}
	}
	field("Source", want.Source, got.Source)
	field("File", want.File, got.File)
	field("Line", want.Line, got.Line)
	field("Lines", want.Lines, got.Lines)
	if !want.Time.Equal(got.Time) || want.Time.Location().String() != got.Time.Location().String() {
		field("Time", want.Time.String(), got.Time.String())
	}
	field("Millis", want.Millis, got.Millis)
	field("PID", want.PID, got.PID)
	field("Level", want.Level, got.Level)
	field("Logger", want.Logger, got.Logger)
	field("Context", want.Context, got.Context)
	field("Instance", want.Instance, got.Instance)
	field("Message", want.Message, got.Message)
	field("Extra", strings.Join(want.Extra, "\n"), strings.Join(got.Extra, "\n"))
	field("len(Extra)", len(want.Extra), len(got.Extra))
	field("Dropped", want.Dropped, got.Dropped)
	return b.String()
}

func TestParseLineLocation(t *testing.T) {
	loc := time.FixedZone("EST", -5*3600)
	r, err := ParseLine([]byte("2015-10-29 10:00:00.123 1 INFO n [-] m"), loc)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2015, 10, 29, 15, 0, 0, 123e6, time.UTC)
	if !r.Time.Equal(want) || r.Time.Location() != loc {
		t.Errorf("Time = %v, want %v in %v", r.Time, want, loc)
	}
	r, _ = ParseLine([]byte("2015-10-29 10:00:00.123 1 INFO n [-] m"), nil)
	if r.Time.Location() != time.UTC {
		t.Errorf("nil location: Time = %v, want UTC", r.Time)
	}
}

// TestParseLineErrors: lines that are not the start of a record, from the
// samples (continuation lines, lines two processes wrote into each other)
// and made up.
func TestParseLineErrors(t *testing.T) {
	for _, tc := range []struct{ line, reason string }{
		{"", "empty line"},
		{"\r", "empty line"},
		{"  <host>", "no timestamp"},
		{"+ export PYTHONUNBUFFERED=1", "no timestamp"},
		{"RESP BODY: {\"token\": {}}", "no timestamp"},
		{" _http_log_response /usr/lib/python2.7/site-packages/keystoneclient/session.py:182", "no timestamp"},
		{"x-image-meta-created_at: 2015-10-20T14:52:13", "no timestamp"},
		{"      <nova:creationTime>2015-10-29 14:53:23</nova:creationTime>", "no timestamp"},
		{"Stderr: '2022-02-04T10:21:58.861+0000 7f0f8db4e700 -1 auth: unable to find a keyring", "no timestamp"},
		{"i.openstack     return func(*args, **kwargs)", "no timestamp"},
		{"482 TRACE nova.api.openstack     **action_args)", "no timestamp"},
		{"2015-11-12 20:12:21.530 16482 TRAC2015-11-12 20:12:21.530 16480 ERROR nova.api.openstack [req-db59f6ee-45d3-4af0-93b3-10f29012f2e9 - - - - -] Caught error", "unknown level"},
		{"2015-11-12 20:12:21.530 16E nova.api.openstack     request, action_args)", "no level after the timestamp"},
		{"2015-11-12 22:32:22.139 162015-11-12 22:32:22.139 16482 ERROR nova.api.openstack [req-cc16d7f9] Caught error", "no level after the timestamp"},
		{"2015-11-13 02:12:21.981 16i.openstack   File \"/usr/lib/python2.7/site-packages/nova/api/openstack/compute/contrib/floating_ips.py\"", "no level after the timestamp"},
		{"2015-10-29 10:00:00.123", "no level after the timestamp"},
		{"2015-10-29 10:00:00.123 ", "no level after the timestamp"},
		{"2015-10-29 10:00:00.123 4567", "no level after the timestamp"},
		{"2015-10-29 10:00:00.123 4567 INFO", "no logger name after the level"},
		{"2015-10-29 10:00:00.123 4567 INFO [req-1] m", "no logger name after the level"},
		{"2015-10-29 10:00:00.123 4567 info nova [-] m", "unknown level"},
		{"2015-10-29 10:00:00.123  INFO nova [-] m", "no level after the timestamp"},
		{"2015-10-29 10:00:00.123 12345678901 INFO nova [-] m", "process id too long"},
		{"2015-10-29 10:00:00.123 4567 INFO nova [req-1 u p - - - cut off", "request context without its closing bracket"},
		{"2015-10-29 10:00:00.123 4567 INFO nova [-] [instance: 1234", "[instance: without its closing bracket"},
		{"2015-13-29 10:00:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-02-29 10:00:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-10-29 24:00:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-10-29 10:60:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-10-29 10:00:60.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-10-00 10:00:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"0000-10-01 10:00:00.123 1 INFO n [-] m", "timestamp out of range"},
		{"2015-10-29 10:00:0x.123 1 INFO n [-] m", "no timestamp"},
		{"2015/10/29 10:00:00.123 1 INFO n [-] m", "no timestamp"},
		{"2015-10-29 10:00:00. 1 INFO n [-] m", "no level after the timestamp"},
		{"\x00\xff\xfe garbage \x1b[31m", "no timestamp"},
		{"nova-api.log 2015-10-29 10:00:00.123 1 INFO", "no timestamp"},
	} {
		_, err := ParseLine([]byte(tc.line), nil)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: err = %v, want a *ParseError", tc.line, err)
			continue
		}
		if pe.Reason != tc.reason {
			t.Errorf("%q: reason %q, want %q", tc.line, pe.Reason, tc.reason)
		}
		if !strings.HasPrefix(err.Error(), "not an oslo.log record: ") {
			t.Errorf("%q: Error() = %q", tc.line, err)
		}
	}
}

func TestParseLineAllocs(t *testing.T) {
	line := []byte("2015-11-12 12:45:48.508 16482 INFO nova.osapi_compute.wsgi.server [" + reqA + " " + uid + " " + pid + " - - -] 10.211.55.142 \"GET /v2/servers/detail HTTP/1.1\" status: 200")
	if n := testing.AllocsPerRun(100, func() { ParseLine(line, nil) }); n != 1 {
		t.Errorf("ParseLine of a record: %v allocations, want 1", n)
	}
	garbage := []byte("          <instanceState>")
	if n := testing.AllocsPerRun(100, func() { ParseLine(garbage, nil) }); n != 0 {
		t.Errorf("ParseLine of a continuation line: %v allocations, want 0", n)
	}
}
