package logexpand

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/auditlog-go/auditlog/auditlog"
)

// Options says how lines are expanded. The zero value expands every line in
// full, without colour, hiding credentials.
type Options struct {
	// Depth is how many levels of nesting are expanded; deeper objects and
	// arrays are shown as compact JSON on one line. 0 means no limit.
	Depth int

	// Keys, when not empty, limits each record to these dotted paths
	// ("context.request_id", "exception") and their subtrees. A path goes
	// through arrays (every element) and into strings that hold JSON.
	// Records with none of them are left out.
	Keys []string

	// Flatten prints one "path = value" statement per line instead, like
	// gron, so the output can be grepped; see [Unflatten] for the way back.
	Flatten bool

	// NoEmbedded turns off the search for JSON objects and Python dict
	// reprs inside strings and text lines. Strings that are JSON as a whole
	// are still expanded.
	NoEmbedded bool

	// ShowSecrets shows values under sensitive keys (auth_token,
	// password, …) instead of "[REDACTED]".
	ShowSecrets bool

	// Sensitive reports whether values under a key are credentials; nil
	// means auditlog's default test, (*auditlog.Redaction)(nil).SensitiveKeyFunc().
	Sensitive func(key string) bool

	// Color adds ANSI colours: keys, level values by level, tags.
	Color bool

	// MinLevel, when above 0, keeps only lines at this level or above, as
	// ranked by logline (logline.RankWarning…): records by their level key
	// (level, levelname, severity…), oslo.log text lines by their level
	// word (TRACE lines, a traceback, rank as ERROR). Lines whose level
	// cannot be read are left out.
	MinLevel int

	// EscapeControl shows control characters in lines that are not JSON
	// as escapes (\u001b), so that a raw ESC cannot act on the terminal.
	// Values in JSON lines are always escaped. Set it when the output is a
	// terminal; otherwise such lines pass through byte for byte.
	EscapeControl bool
}

// selector is the compiled form of Options.Keys: a trie of path segments.
// A nil *selector selects everything below it.
type selector struct {
	next map[string]*selector
}

func compileKeys(keys []string) (*selector, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	root := &selector{next: map[string]*selector{}}
	for _, k := range keys {
		if k == "" || strings.HasPrefix(k, ".") || strings.HasSuffix(k, ".") || strings.Contains(k, "..") {
			return nil, fmt.Errorf("invalid key path %q: want dotted names such as context.request_id", k)
		}
		s := root
		parts := strings.Split(k, ".")
		for i, part := range parts {
			child, seen := s.next[part]
			if i == len(parts)-1 {
				// The whole subtree: a longer path already asked for
				// is widened to it.
				s.next[part] = nil
				break
			}
			if seen && child == nil {
				break // an ancestor is already selected whole
			}
			if child == nil {
				child = &selector{next: map[string]*selector{}}
				s.next[part] = child
			}
			s = child
		}
	}
	return root, nil
}

func defaultSensitive() func(string) bool {
	return (*auditlog.Redaction)(nil).SensitiveKeyFunc()
}

// lookup finds the selector under key. A key that holds dots itself, as
// the flat keys of ECS and OpenTelemetry do ("log.level", "process.pid"),
// is also matched by the path that spells it: --keys log.level finds it.
func (s *selector) lookup(key []byte) (*selector, bool) {
	if next, ok := s.next[string(key)]; ok {
		return next, true
	}
	for cur := s; ; {
		i := bytes.IndexByte(key, '.')
		if i < 0 {
			next, ok := cur.next[string(key)]
			return next, ok
		}
		next, ok := cur.next[string(key[:i])]
		if !ok {
			return nil, false
		}
		if next == nil {
			return nil, true // an ancestor is selected whole
		}
		cur, key = next, key[i+1:]
	}
}
