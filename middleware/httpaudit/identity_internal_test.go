package httpaudit

import (
	"fmt"
	"net/http"
	"testing"
)

// TestReadHeadersOnePass checks that reading a small header map in one pass
// finds exactly what looking up each name finds: first values only, absent
// and empty headers as "", and names that are not canonical never matched.
func TestReadHeadersOnePass(t *testing.T) {
	headers := []http.Header{
		{},
		{"User-Agent": {"ua"}, "X-User-Id": {"u"}, "X-Roles": {"a,b"}},
		{"X-Openstack-Request-Id": {"bad id"}, "X-Request-Id": {"req-2", "req-3"}, "X-Openstack-Global-Request-Id": {"g"}},
		{"X-Project-Id": {""}, "X-Tenant-Id": {"t"}, "X-User-Domain-Id": {"d"}, "X-User-Name": {}},
		{"x-user-id": {"not canonical"}, "X-User-Name": {"n"}, "X-Auth-Token": {"secret"}, "Accept": {"*/*"}},
		{"X-Openstack-Request-Id": {"req-1"}, "X-Request-Id": {"req-2"}, "User-Agent": {"ua"}, "X-User-Id": {"u"},
			"X-User-Name": {"n"}, "X-Project-Id": {"p"}, "X-Roles": {"r"}, "X-User-Domain-Id": {"d"}},
	}
	for i, h := range headers {
		if len(h) > smallHeader {
			t.Fatalf("case %d has %d headers, more than a pass reads", i, len(h))
		}
		got := readHeaders(h, true)
		if !got.passed {
			t.Fatalf("case %d: not read in one pass", i)
		}
		want := requestHeaders{
			h:               h,
			osRequestID:     firstValue(h, HeaderOpenStackRequestID),
			requestID:       firstValue(h, HeaderRequestID),
			globalRequestID: firstValue(h, HeaderGlobalRequestID),
			userAgent:       firstValue(h, "User-Agent"),
			identity: identityHeaders{
				userID:       firstValue(h, headerUserID),
				userName:     firstValue(h, headerUserName),
				userDomainID: firstValue(h, headerUserDomainID),
				projectID:    firstValue(h, headerProjectID),
				tenantID:     firstValue(h, headerTenantID),
				roles:        firstValue(h, headerRoles),
			},
		}
		if fmt.Sprint(got.osRequestID, got.requestID, got.globalRequestID, got.userAgent, got.identity) !=
			fmt.Sprint(want.osRequestID, want.requestID, want.globalRequestID, want.userAgent, want.identity) {
			t.Errorf("case %d: one pass read %+v, lookups %+v", i, got, want)
		}
		// And the ids and user made from either agree with the lookups'.
		var b1, b2 [40]byte
		id1, g1 := requestIDs(&got, &b1)
		looked := readHeaders(h, false)
		id2, g2 := requestIDs(&looked, &b2)
		if (id1 == string(b1[:])) != (id2 == string(b2[:])) || (id1 != string(b1[:]) && id1 != id2) || g1 != g2 {
			t.Errorf("case %d: ids %q %q from one pass, %q %q from lookups", i, id1, g1, id2, g2)
		}
		v := lookUpIdentity(h)
		if u1, u2 := keystoneUser(&got.identity, nil), keystoneUser(&v, nil); fmt.Sprint(u1) != fmt.Sprint(u2) {
			t.Errorf("case %d: user %+v from one pass, %+v from lookups", i, u1, u2)
		}
	}
}
