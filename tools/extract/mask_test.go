package extract

import "testing"

func TestMaskedPath(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/v2.1/servers/abc/action", "/v2.1/servers/abc/action"},
		{"/v2/servers?limit=10&marker=x", "/v2/servers?limit=10&marker=x"},
		{"/v2/servers?token=s3cr3tvalue&limit=1", "/v2/servers?token=[REDACTED]&limit=1"},
		{"/v2/x?password=hunter2", "/v2/x?password=[REDACTED]"},
		{"/redirect?to=http://bob:pw123@host/x", "/redirect?to=http://bob:[REDACTED]@host/x"},
	} {
		if got := maskedPath(c.in); got != c.want {
			t.Errorf("maskedPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
