package auditlog

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
)

// RedactMode says what becomes of a value under a sensitive key.
type RedactMode int

const (
	// RedactMask replaces the value with the string "[REDACTED]". The default.
	RedactMask RedactMode = iota
	// RedactDrop leaves the attribute out of the line altogether.
	RedactDrop
	// RedactHash replaces the value with "hmac-sha256:" and the hex HMAC-SHA256
	// of its text under the Redaction's salt. The value cannot be read back,
	// but a known value can still be searched for: compute its hash with
	// [Redaction.Hash] (or `printf %s value | openssl dgst -sha256 -hmac salt`)
	// and grep for it.
	RedactHash
	// RedactOff writes values as given. Only for a user who asked for it.
	RedactOff
)

// Masked is what RedactMask writes in place of a value.
const Masked = "[REDACTED]"

// DefaultSensitiveKeys returns the key fragments redacted by default, a new
// slice each time (what is hidden by default is not a caller's to change:
// add keys with [Redaction].Keys). A key is
// sensitive when, lower-cased and with '-' read as '_', it contains one of
// them: "X-Auth-Token", "db_password" and "Set-Cookie" all match. Matching
// fragments rather than whole keys errs on the side of hiding too much, which
// is the right side for an audit log. ("adminpass" is nova's adminPass, the
// root password a server create or rebuild body may carry.)
func DefaultSensitiveKeys() []string { return slices.Clone(defaultSensitiveKeys) }

var defaultSensitiveKeys = []string{
	"password", "passwd", "secret", "token", "authorization", "cookie",
	"credential", "api_key", "apikey", "private_key", "x_auth_token",
	"x_subject_token", "session", "adminpass", "passphrase",
}

// Redaction configures how sensitive values are kept out of lines. A nil
// *Redaction in [Options] means the defaults: RedactMask over
// DefaultSensitiveKeys.
type Redaction struct {
	Mode RedactMode
	// Keys are key fragments redacted in addition to DefaultSensitiveKeys
	// (or instead of them, when OnlyKeys is set). Matching is as described
	// there.
	Keys     []string
	OnlyKeys bool
	// Salt keys the HMAC of RedactHash. Keep it secret and stable: the same
	// salt gives the same hash across restarts and hosts. When empty, a
	// random salt is made per process, so hashes can be compared only
	// within one process's lines.
	Salt []byte
}

// redactor is the compiled form of a Redaction, shared by every handler
// derived from one NewHandler call.
type redactor struct {
	mode    RedactMode
	frags   []string
	minFrag int
	salt    []byte
	macs    sync.Pool // of hash.Hash

	// keys caches keyInfo for the attribute keys seen so far. Attribute
	// keys are few and repeat on every line, while the sensitivity test
	// lower-cases the key and scans it for every fragment; a lookup in a
	// map that is never written once published costs less than that and
	// takes no lock. New keys are added copy-on-write under keysMu.
	keys   atomic.Pointer[map[string]keyInfo]
	keysMu sync.Mutex
}

// keyInfo is what the encoder needs to know about an attribute key.
type keyInfo uint8

const (
	// keySensitive: values under the key are redacted.
	keySensitive keyInfo = 1 << iota
	// keyPlain: the key is valid UTF-8 and needs no escaping, so it can be
	// copied between quotes as it is.
	keyPlain
	// keyKnown marks a filled entry of an encoder's keyCache.
	keyKnown
)

// Bounds of the key cache. Keys are usually a fixed set written in the
// code; the bounds keep keys made from data (an id used as a key, say) from
// growing it without end. Past them the answer is computed every time.
const (
	maxCachedKeys   = 1024
	maxCachedKeyLen = 64
)

func newRedactor(r *Redaction) *redactor {
	if r == nil {
		r = &Redaction{}
	}
	rd := &redactor{mode: r.Mode, salt: r.Salt}
	keys := r.Keys
	if !r.OnlyKeys {
		keys = append(DefaultSensitiveKeys(), r.Keys...)
	}
	for _, k := range keys {
		k = normaliseKey(k)
		if k == "" {
			continue
		}
		rd.frags = append(rd.frags, k)
		if rd.minFrag == 0 || len(k) < rd.minFrag {
			rd.minFrag = len(k)
		}
	}
	if rd.mode == RedactHash && len(rd.salt) == 0 {
		rd.salt = make([]byte, 32)
		_, _ = rand.Read(rd.salt)
	}
	rd.macs.New = func() any { return hmac.New(sha256.New, rd.salt) }
	return rd
}

func normaliseKey(k string) string {
	return strings.ReplaceAll(strings.ToLower(k), "-", "_")
}

// sensitive reports whether values under key must be redacted. It does not
// allocate for keys of up to 64 bytes.
func (rd *redactor) sensitive(key string) bool {
	if rd.mode == RedactOff || len(key) < rd.minFrag || len(rd.frags) == 0 {
		return false
	}
	var buf [64]byte
	var low []byte
	if len(key) <= len(buf) {
		low = buf[:len(key)]
	} else {
		low = make([]byte, len(key))
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '-':
			c = '_'
		}
		low[i] = c
	}
	for _, f := range rd.frags {
		if containsBytes(low, f) {
			return true
		}
	}
	return false
}

// info returns what the encoder needs to know about key, from the cache
// when the key has been seen before. It does not allocate for a known key.
func (rd *redactor) info(key string) keyInfo {
	if m := rd.keys.Load(); m != nil {
		if ki, ok := (*m)[key]; ok {
			return ki
		}
	}
	var ki keyInfo
	if rd.sensitive(key) {
		ki |= keySensitive
	}
	if plainKey(key) {
		ki |= keyPlain
	}
	if len(key) <= maxCachedKeyLen {
		rd.remember(key, ki)
	}
	return ki
}

// remember adds key to the cache, unless it is full: a new map is
// published so that readers never see one being written.
func (rd *redactor) remember(key string, ki keyInfo) {
	rd.keysMu.Lock()
	defer rd.keysMu.Unlock()
	var old map[string]keyInfo
	if m := rd.keys.Load(); m != nil {
		old = *m
	}
	if _, ok := old[key]; ok || len(old) >= maxCachedKeys {
		return
	}
	m := make(map[string]keyInfo, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	// Clone: the key may be a slice of a much larger string the cache
	// would otherwise keep alive.
	m[strings.Clone(key)] = ki
	rd.keys.Store(&m)
}

// plainKey reports whether key can be written between quotes as it is:
// printable ASCII other than '"' and the backslash (so valid UTF-8 too).
func plainKey(key string) bool {
	return jsonscan.Line.Plain(key)
}

func containsBytes(s []byte, sub string) bool {
	n := len(sub)
	first := sub[0]
	for i := 0; i+n <= len(s); i++ {
		if s[i] == first && string(s[i:i+n]) == sub {
			return true
		}
	}
	return false
}

// appendRedacted appends what stands in for the value whose text is text.
// It is not called in RedactDrop mode (the attribute is left out).
func (rd *redactor) appendRedacted(dst []byte, text []byte) []byte {
	if rd.mode != RedactHash {
		return appendString(dst, Masked)
	}
	m := rd.macs.Get().(hash.Hash)
	m.Reset()
	m.Write(text)
	var sum [sha256.Size]byte
	dst = append(dst, `"hmac-sha256:`...)
	dst = appendHex(dst, m.Sum(sum[:0]))
	rd.macs.Put(m)
	return append(dst, '"')
}

// Hash returns what RedactHash writes for a string value v under this
// Redaction's salt, so that a known value can be searched for in the logs.
// With an empty Salt it cannot match (each process picks its own salt).
func (r *Redaction) Hash(v string) string {
	m := hmac.New(sha256.New, r.Salt)
	m.Write([]byte(v))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// SensitiveKeyFunc returns the test r applies to attribute keys: whether a
// value under key would be redacted. A nil *Redaction means the defaults.
// The command-line tools use it to hide credentials that other loggers wrote
// in clear (oslo.log's context.auth_token, say) before a person sees them.
// The returned function is safe for concurrent use.
func (r *Redaction) SensitiveKeyFunc() func(key string) bool {
	return newRedactor(r).sensitive
}
