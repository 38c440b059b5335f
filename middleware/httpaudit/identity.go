package httpaudit

import (
	"net/http"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// The request id headers, in Go's canonical form so that they can be looked
// up in an http.Header without canonicalising on every request.
const (
	// HeaderOpenStackRequestID is OpenStack's request id header
	// (X-OpenStack-Request-ID), taken from the request when valid and
	// always set on the response.
	HeaderOpenStackRequestID = "X-Openstack-Request-Id"
	// HeaderRequestID is the common request id header, read when the
	// OpenStack one is absent or invalid, and always set on the response.
	HeaderRequestID = "X-Request-Id"
	// HeaderGlobalRequestID carries the id of the whole operation across
	// services (X-OpenStack-Global-Request-ID), taken when valid.
	HeaderGlobalRequestID = "X-Openstack-Global-Request-Id"
)

// maxHeaderValue caps each header value the middleware copies into the
// request context or the line. Identity headers are short; a longer value is
// junk or an attack on the log, and is cut, not trusted to the line size
// limit that would shorten other values too.
const maxHeaderValue = 256

// maxRoles caps the roles taken from X-Roles.
const maxRoles = 64

// firstValue returns the first value of the header key, which must be in
// canonical form.
func firstValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// The identity headers keystonemiddleware sets, in canonical form.
const (
	headerUserID       = "X-User-Id"
	headerUserName     = "X-User-Name"
	headerUserDomainID = "X-User-Domain-Id"
	headerProjectID    = "X-Project-Id"
	headerTenantID     = "X-Tenant-Id"
	headerRoles        = "X-Roles"
)

// requestHeaders holds the first value of each request header the
// middleware reads ("" when absent), read once per request.
type requestHeaders struct {
	h http.Header
	// passed is set when h was read in one pass; otherwise requestID is
	// looked up only when needed, when osRequestID is not a valid id.
	passed                                             bool
	osRequestID, requestID, globalRequestID, userAgent string
	identity                                           identityHeaders // when trusted
}

// identityHeaders holds the identity headers KeystoneUser reads.
type identityHeaders struct {
	userID, userName, userDomainID, projectID, tenantID, roles string
}

// smallHeader is the most headers a request may have for readHeaders to
// read them in one pass rather than look up each name: up to eight, Go
// keeps a map in a single group, which a pass reads at a fraction of the
// cost of ten lookups, each hashing its key; past that, the lookups cost
// less than a pass over the twenty-odd headers of a request that came
// through keystonemiddleware.
const smallHeader = 8

// readHeaders returns the headers the middleware reads from h, the
// identity headers among them when identity is set.
func readHeaders(h http.Header, identity bool) requestHeaders {
	v := requestHeaders{h: h}
	if !identity || len(h) > smallHeader {
		v.osRequestID = firstValue(h, HeaderOpenStackRequestID)
		v.globalRequestID = firstValue(h, HeaderGlobalRequestID)
		v.userAgent = firstValue(h, "User-Agent")
		if identity {
			v.identity = lookUpIdentity(h)
		}
		return v
	}
	// The same values, in one pass: keys are unique, so each name is met
	// at most once, as its lookup would find it.
	v.passed = true
	for key, vs := range h {
		if len(vs) == 0 {
			continue
		}
		var dst *string
		switch key {
		case HeaderOpenStackRequestID:
			dst = &v.osRequestID
		case HeaderRequestID:
			dst = &v.requestID
		case HeaderGlobalRequestID:
			dst = &v.globalRequestID
		case "User-Agent":
			dst = &v.userAgent
		case headerUserID:
			dst = &v.identity.userID
		case headerUserName:
			dst = &v.identity.userName
		case headerUserDomainID:
			dst = &v.identity.userDomainID
		case headerProjectID:
			dst = &v.identity.projectID
		case headerTenantID:
			dst = &v.identity.tenantID
		case headerRoles:
			dst = &v.identity.roles
		default:
			continue
		}
		*dst = vs[0]
	}
	return v
}

// lookUpIdentity reads the identity headers of h by name.
func lookUpIdentity(h http.Header) identityHeaders {
	v := identityHeaders{
		userID:       firstValue(h, headerUserID),
		userName:     firstValue(h, headerUserName),
		userDomainID: firstValue(h, headerUserDomainID),
		projectID:    firstValue(h, headerProjectID),
		roles:        firstValue(h, headerRoles),
	}
	if v.projectID == "" {
		v.tenantID = firstValue(h, headerTenantID)
	}
	return v
}

// requestIDs returns the request id (the caller's when it sent a valid one,
// a fresh req-<uuid> otherwise) and the global request id (the caller's
// when valid, else empty). middleware.ValidRequestID decides validity, so a
// header with a newline or 10 KB of junk never becomes an id. A fresh id is
// written into buf, which the caller must never write again, and the id
// points into it.
func requestIDs(h *requestHeaders, buf *[middleware.RequestIDLen]byte) (id, global string) {
	id = h.osRequestID
	if !middleware.ValidRequestID(id) {
		if !h.passed {
			h.requestID = firstValue(h.h, HeaderRequestID)
		}
		id = h.requestID
		if !middleware.ValidRequestID(id) {
			middleware.PutRequestID(buf)
			id = inPlace(buf[:])
		}
	}
	global = h.globalRequestID
	if !middleware.ValidRequestID(global) {
		global = ""
	}
	return id, global
}

// KeystoneUser is the user extractor [WithTrustedIdentity] turns on: it
// reads the identity headers that keystonemiddleware's auth_token sets
// after validating a token —
// X-User-Id, X-User-Name, X-Project-Id (or the older X-Tenant-Id),
// X-User-Domain-Id and X-Roles (comma-separated). It reads nothing secret:
// never X-Auth-Token, X-Subject-Token or X-Service-Catalog.
//
// These headers say who the caller is only because auth_token, running in
// front, removes any the client sent and sets its own. Without such a
// middleware a client can claim to be anyone, which is why it is off by
// default; give [WithUser] an extractor that reads your authentication's
// result instead.
//
// Each value is cut to 256 bytes (marked with "…"), and at most 64 roles are
// kept; control characters are escaped by the line encoder.
func KeystoneUser(r *http.Request) auditlog.User {
	v := lookUpIdentity(r.Header)
	return keystoneUser(&v, nil)
}

// keystoneUser is KeystoneUser of the headers read into v, with the roles
// appended to roles when they fit in its capacity.
func keystoneUser(v *identityHeaders, roles []string) auditlog.User {
	u := auditlog.User{
		ID:       clip(v.userID),
		Name:     clip(v.userName),
		DomainID: clip(v.userDomainID),
	}
	project := v.projectID
	if project == "" {
		project = v.tenantID
	}
	u.ProjectID = clip(project)
	if v.roles != "" {
		u.Roles = splitRoles(v.roles, roles)
	}
	return u
}

// splitRoles splits X-Roles ("member,reader") into trimmed, non-empty,
// clipped roles, at most maxRoles of them, appended to roles: into its room
// when they fit, as they usually do.
func splitRoles(s string, roles []string) []string {
	if roles == nil {
		roles = make([]string, 0, min(strings.Count(s, ",")+1, maxRoles))
	}
	for len(roles) < maxRoles {
		part, rest := s, ""
		i := strings.IndexByte(s, ',')
		if i >= 0 {
			part, rest = s[:i], s[i+1:]
		}
		if part = strings.TrimSpace(part); part != "" {
			roles = append(roles, clip(part))
		}
		if i < 0 {
			break
		}
		s = rest
	}
	if len(roles) == 0 {
		return nil
	}
	return roles
}

// inPlace returns the string of b without copying it. b must never change
// again: the middleware uses it only for bytes in its response writer that
// are written once, before the string exists, and the string keeps the
// writer alive for as long as it is referenced.
func inPlace(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// clip returns s cut to maxHeaderValue bytes (see clipTo).
func clip(s string) string { return clipTo(s, maxHeaderValue) }

// clipTo returns s cut to n bytes at a character boundary, marked with "…"
// when cut. Short values are returned as they are, without allocating.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
