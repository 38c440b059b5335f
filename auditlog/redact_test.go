package auditlog

import "testing"

func TestSensitiveKeyFunc(t *testing.T) {
	def := (*Redaction)(nil).SensitiveKeyFunc()
	for key, want := range map[string]bool{
		"auth_token": true, "X-Auth-Token": true, "password": true, "adminPass": true, "request_id": false, "user": false,
	} {
		if got := def(key); got != want {
			t.Errorf("default SensitiveKeyFunc(%q) = %v, want %v", key, got, want)
		}
	}
	off := (&Redaction{Mode: RedactOff}).SensitiveKeyFunc()
	if off("password") {
		t.Error("RedactOff: password reported sensitive")
	}
	extra := (&Redaction{Keys: []string{"instance"}, OnlyKeys: true}).SensitiveKeyFunc()
	if !extra("instance_uuid") || extra("password") {
		t.Error("OnlyKeys: want instance_uuid sensitive and password not")
	}
}
