package oslolog

import "strings"

// maxWords bounds the words of a context that are looked at: two ids and
// six identity fields.
const maxWords = 8

// parseContext fills c from the text inside the brackets; see [Context]
// for the shapes. Every field is a substring of raw.
func parseContext(c *Context, raw string) {
	c.Raw = raw
	var w [maxWords]string
	n := 0
	for rest := raw; rest != "" && n < maxWords; {
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			i = len(rest)
		}
		if i > 0 {
			w[n] = rest[:i]
			n++
		}
		rest = rest[min(i+1, len(rest)):]
	}
	if n == 0 {
		return
	}
	k := 0
	switch {
	case n > 1 && strings.HasPrefix(w[1], "req-") && (w[0] == "None" || w[0] == "-" || strings.HasPrefix(w[0], "req-")):
		c.GlobalRequestID = value(w[0])
		c.RequestID = w[1]
		k = 2
	case strings.HasPrefix(w[0], "req-"):
		c.RequestID = w[0]
		k = 1
	case w[0] == "-" || w[0] == "None":
		// "[-]", or a context with no request id at all.
		k = 1
	}
	id := w[k:n]
	if len(id) == 6 {
		c.User, c.Project, c.Domain = value(id[0]), value(id[1]), value(id[2])
		c.SystemScope, c.UserDomain, c.ProjectDomain = value(id[3]), value(id[4]), value(id[5])
		return
	}
	fields := [...]*string{&c.User, &c.Project, &c.Domain, &c.UserDomain, &c.ProjectDomain}
	for i, v := range id {
		if i == len(fields) {
			break
		}
		*fields[i] = value(v)
	}
}

// value returns v, or "" for oslo.log's ways of writing nothing.
func value(v string) string {
	if v == "-" || v == "None" {
		return ""
	}
	return v
}
