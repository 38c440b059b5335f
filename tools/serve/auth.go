package serve

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
)

// Roles the server gives meaning to.
const (
	RoleAdmin  = "admin"  // sees every project's events, and may ingest
	RoleIngest = "ingest" // may POST /v1/events
)

// Identity is who a request comes from.
type Identity struct {
	User    string
	Project string
	Roles   []string
}

// Has reports whether the identity holds role.
func (id Identity) Has(role string) bool { return slices.Contains(id.Roles, role) }

// Admin reports whether the identity sees every project.
func (id Identity) Admin() bool { return id.Has(RoleAdmin) }

// MayIngest reports whether the identity may store events.
func (id Identity) MayIngest() bool { return id.Has(RoleIngest) || id.Admin() }

// Scope is what the identity may read: everything for an admin, else its
// project's events (nothing, when it has no project).
func (id Identity) Scope() events.Scope {
	if id.Admin() {
		return events.Scope{All: true}
	}
	if id.Project == "" {
		return events.Scope{}
	}
	return events.Scope{Projects: []string{id.Project}}
}

// auditUser is the identity as the server's own audit lines name it.
func (id Identity) auditUser() auditlog.User {
	return auditlog.User{ID: id.User, ProjectID: id.Project, Roles: id.Roles}
}

type identityKey struct{}

func withIdentity(ctx context.Context, id Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the identity the server authenticated for ctx's
// request, if any.
func IdentityFrom(ctx context.Context) (Identity, bool) {
	id, ok := ctx.Value(identityKey{}).(Identity)
	return id, ok
}

// Tokens maps the SHA-256 of each token to its identity. The tokens
// themselves are never kept: a leaked tokens file gives nobody access.
type Tokens struct {
	byHash map[[sha256.Size]byte]Identity
}

// Len is the number of tokens.
func (t *Tokens) Len() int {
	if t == nil {
		return 0
	}
	return len(t.byHash)
}

// Lookup returns the identity of token.
func (t *Tokens) Lookup(token string) (Identity, bool) {
	if t == nil || token == "" {
		return Identity{}, false
	}
	id, ok := t.byHash[sha256.Sum256([]byte(token))]
	return id, ok
}

// Add adds a token (in the clear) for id, as a server does with the token
// it makes for itself when no tokens file is given.
func (t *Tokens) Add(token string, id Identity) {
	if t.byHash == nil {
		t.byHash = map[[sha256.Size]byte]Identity{}
	}
	t.byHash[sha256.Sum256([]byte(token))] = id
}

// ReadTokensFile reads a tokens file (see [ParseTokens]).
func ReadTokensFile(path string) (*Tokens, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTokens(f, path)
}

// ParseTokens reads the tokens file format, one token a line:
//
//	sha256:<64 hex digits> USER PROJECT ROLES
//
// where the hash is SHA-256 of the token's bytes, ROLES is a
// comma-separated list (admin: sees every project; ingest: may store
// events), and "-" stands for no project or no roles. Blank lines and
// lines starting with # are ignored. [TokenLine] writes a line
// (log-serve hash-token). Errors name the file and line and never quote
// the hash.
func ParseTokens(r io.Reader, name string) (*Tokens, error) {
	t := &Tokens{byHash: map[[sha256.Size]byte]Identity{}}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s (want: sha256:<64 hex digits> USER PROJECT ROLES, - for none)", name, n, fmt.Sprintf(format, args...))
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 4 {
			return nil, fail("%d fields", len(f))
		}
		algo, digest, ok := strings.Cut(f[0], ":")
		if !ok || algo != "sha256" {
			return nil, fail("the first field is not sha256:<hex>")
		}
		b, err := hex.DecodeString(digest)
		if err != nil || len(b) != sha256.Size {
			return nil, fail("the hash is not 64 hex digits")
		}
		var key [sha256.Size]byte
		copy(key[:], b)
		if _, dup := t.byHash[key]; dup {
			return nil, fail("the same token twice")
		}
		id := Identity{User: f[1]}
		if len(f) > 2 && f[2] != "-" {
			id.Project = f[2]
		}
		if len(f) > 3 && f[3] != "-" {
			for _, r := range strings.Split(f[3], ",") {
				if r = strings.TrimSpace(r); r != "" {
					id.Roles = append(id.Roles, r)
				}
			}
		}
		t.byHash[key] = id
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
	}
	return t, nil
}

// TokenLine is the tokens file line for token and id.
func TokenLine(token string, id Identity) string {
	sum := sha256.Sum256([]byte(token))
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	return fmt.Sprintf("sha256:%x %s %s %s", sum, id.User, dash(id.Project), dash(strings.Join(id.Roles, ",")))
}

// NewToken returns a fresh random token (256 bits, URL-safe base64).
func NewToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("serve: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Auth says how callers are known: by a token (Authorization: Bearer, or
// OpenStack's X-Auth-Token) looked up in Tokens, and, only when
// TrustIdentityHeaders is set, by keystonemiddleware's X-User-Id,
// X-Project-Id and X-Roles headers — which a trusted proxy in front sets
// and strips from clients; on an open port anyone could send them.
type Auth struct {
	Tokens               *Tokens
	TrustIdentityHeaders bool
}

var (
	errNoCredentials = errors.New("no credentials: send Authorization: Bearer <token> (or X-Auth-Token)")
	errBadToken      = errors.New("the token is not known")
)

// identify authenticates r. A token that is sent but not known is an
// error even with trusted headers, so that a client never silently gets
// another identity than the one it meant.
func (a *Auth) identify(r *http.Request) (Identity, error) {
	token := bearer(r)
	if token != "" {
		if id, ok := a.Tokens.Lookup(token); ok {
			return id, nil
		}
		return Identity{}, errBadToken
	}
	if a.TrustIdentityHeaders {
		if user := r.Header.Get("X-User-Id"); user != "" {
			id := Identity{User: clip(user, 256), Project: clip(r.Header.Get("X-Project-Id"), 256)}
			for _, role := range strings.Split(r.Header.Get("X-Roles"), ",") {
				if role = strings.TrimSpace(role); role != "" && len(id.Roles) < 64 {
					id.Roles = append(id.Roles, clip(role, 256))
				}
			}
			return id, nil
		}
	}
	return Identity{}, errNoCredentials
}

// bearer returns the token r carries, if any.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return "" // another scheme: not ours, so no credentials
	}
	return strings.TrimSpace(r.Header.Get("X-Auth-Token"))
}
