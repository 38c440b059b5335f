package leakcheck

import (
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	in := strings.Join([]string{
		`curl -i http://h/v2 -X GET -H "X-Auth-Token: MIITlQYJKoZIhvcNAQcC" -H "Accept: x"`,
		`RESP: {'x-subject-token': '3dcf524a3d44496b', 'vary': 'X-Auth-Token'}`,
		`x-subject-token: {SHA1}0f3bd0a9a8e2f0`,
		`{"passwordCredentials": {"username": "neutron", "password": "n3utr0npw"}}`,
		`connection = mysql://nova:dbsecret1@10.0.0.1/nova`,
		`rabbit_password = ****** log_opt_values`,
		`-H "X-Auth-Token: TOKEN_REDACTED" password=None short=x`,
	}, "\n")
	got, err := Find(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"MIITlQYJKoZIhvcNAQcC", "3dcf524a3d44496b", "{SHA1}0f3bd0a9a8e2f0", "n3utr0npw", "dbsecret1"}
	var vals []string
	for _, s := range got {
		vals = append(vals, s.Value)
	}
	if strings.Join(vals, " ") != strings.Join(want, " ") {
		t.Errorf("Find = %q, want %q", vals, want)
	}
	leaks := Leaks([]byte("ok\nX-Auth-Token: [REDACTED]\nthe db is mysql://nova:dbsecret1@h\n"), got)
	if len(leaks) != 1 || !strings.Contains(leaks[0], "dbsecret1") || !strings.Contains(leaks[0], "output line 3") {
		t.Errorf("Leaks = %q, want the one URL password on line 3", leaks)
	}
}
