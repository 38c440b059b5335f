// Package errtext tidies the text of errors the commands show. pgx lists
// each connection attempt on a line of its own, and with sslmode=prefer it
// tries twice (with TLS, then without) and fails the same way both times:
// the same line twice tells a user nothing more.
package errtext

import "strings"

// UniqueLines drops the lines of msg that repeat an earlier one.
func UniqueLines(msg string) string {
	if !strings.Contains(msg, "\n") {
		return msg
	}
	lines := strings.Split(msg, "\n")
	out := lines[:0]
	seen := make(map[string]bool, len(lines))
	for _, l := range lines {
		if seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// Folded returns err with its message's repeated lines said once;
// errors.Is and errors.As still see err and what it wraps. nil stays nil.
func Folded(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if u := UniqueLines(msg); u != msg {
		return &folded{err: err, msg: u}
	}
	return err
}

type folded struct {
	err error
	msg string
}

func (f *folded) Error() string { return f.msg }
func (f *folded) Unwrap() error { return f.err }
