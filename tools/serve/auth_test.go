package serve

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTokensFile(t *testing.T) {
	file := "# log-serve tokens\n\n" +
		TokenLine("secret-alice-000001", Identity{User: "alice", Project: "p-42", Roles: []string{"member"}}) + "\n" +
		TokenLine("secret-root-0000001", Identity{User: "root", Roles: []string{"admin", "ingest"}}) + "\n" +
		"sha256:" + strings.Repeat("ab", 32) + " bob\n"
	tok, err := ParseTokens(strings.NewReader(file), "tokens")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Len() != 3 {
		t.Errorf("%d tokens", tok.Len())
	}
	if strings.Contains(file, "secret") {
		t.Error("the file holds a token in the clear")
	}
	id, ok := tok.Lookup("secret-alice-000001")
	if !ok || id.User != "alice" || id.Project != "p-42" || id.Admin() || id.MayIngest() {
		t.Errorf("alice: %+v %v", id, ok)
	}
	if sc := id.Scope(); sc.All || len(sc.Projects) != 1 || sc.Projects[0] != "p-42" {
		t.Errorf("alice's scope %+v", sc)
	}
	id, ok = tok.Lookup("secret-root-0000001")
	if !ok || id.Project != "" || !id.Admin() || !id.MayIngest() || !id.Scope().All {
		t.Errorf("root: %+v %v", id, ok)
	}
	if _, ok := tok.Lookup("secret-alice-00000"); ok {
		t.Error("a prefix of a token is taken")
	}
	if _, ok := tok.Lookup(""); ok {
		t.Error("the empty token is taken")
	}
	for _, tc := range []struct{ file, says string }{
		{"md5:abcd alice p admin\n", "tokens:1: the first field"},
		{"\nsha256:abcd alice\n", "tokens:2: the hash"},
		{"sha256:" + strings.Repeat("zz", 32) + " a\n", "64 hex"},
		{"sha256:" + strings.Repeat("ab", 32) + "\n", "1 fields"},
		{"sha256:" + strings.Repeat("ab", 32) + " a p r extra\n", "5 fields"},
		{"sha256:" + strings.Repeat("ab", 32) + " a\nsha256:" + strings.Repeat("AB", 32) + " b\n", "tokens:2: the same token twice"},
	} {
		_, err := ParseTokens(strings.NewReader(tc.file), "tokens")
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%q: %v, want %q", tc.file, err, tc.says)
		}
		if err != nil && strings.Contains(err.Error(), strings.Repeat("ab", 32)) {
			t.Errorf("the error quotes the hash: %v", err)
		}
	}
}

func TestIdentify(t *testing.T) {
	a := Auth{Tokens: testTokens()}
	for _, tc := range []struct {
		trust bool
		hdr   []string
		user  string
		err   error
	}{
		{false, []string{"Authorization", "Bearer " + tokAlice}, "alice", nil},
		{false, []string{"Authorization", "bearer  " + tokAlice + " "}, "alice", nil},
		{false, []string{"X-Auth-Token", tokBob}, "bob", nil},
		{false, []string{"Authorization", "Bearer nope"}, "", errBadToken},
		{false, []string{"Authorization", "Basic " + tokAlice}, "", errNoCredentials},
		{false, nil, "", errNoCredentials},
		{false, []string{"X-User-Id", "carol"}, "", errNoCredentials},
		{true, []string{"X-User-Id", "carol", "X-Project-Id", "p-9", "X-Roles", "a, b,,c"}, "carol", nil},
		{true, []string{"X-Auth-Token", "nope", "X-User-Id", "carol"}, "", errBadToken},
	} {
		r := httptest.NewRequest("GET", "/v1/events", nil)
		for i := 0; i+1 < len(tc.hdr); i += 2 {
			r.Header.Set(tc.hdr[i], tc.hdr[i+1])
		}
		a.TrustIdentityHeaders = tc.trust
		id, err := a.identify(r)
		if err != tc.err || id.User != tc.user {
			t.Errorf("%v (trust %v): %+v, %v; want %q, %v", tc.hdr, tc.trust, id, err, tc.user, tc.err)
		}
		if id.User == "carol" && (id.Project != "p-9" || strings.Join(id.Roles, "|") != "a|b|c") {
			t.Errorf("carol: %+v", id)
		}
	}
}
