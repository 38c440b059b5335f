package oslolog

import (
	"testing"
	"time"
)

func TestParseLineSmoke(t *testing.T) {
	r, err := ParseLine([]byte("2015-10-29 10:00:00.123 4567 INFO nova.osapi_compute.wsgi.server [req-1 u p - - -] [instance: i] msg"), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if r.PID != 4567 || r.Level != "INFO" || r.Context.RequestID != "req-1" || r.Context.User != "u" || r.Instance != "i" || r.Message != "msg" {
		t.Errorf("got %+v", r)
	}
}
