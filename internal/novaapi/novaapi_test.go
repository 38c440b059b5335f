package novaapi

import "testing"

func TestServerAction(t *testing.T) {
	for key, want := range map[string]string{
		"pause": "pause", "os-start": "start", "os-stop": "stop", "os-getVNCConsole": "console",
		"os-getSerialConsole": "console", "createImage": "createImage", "os-migrateLive": "os-migrateLive",
		"": "", "bad key": "", "x\ny": "", string(make([]byte, 65)): "",
	} {
		if got := ServerAction(key); got != want {
			t.Errorf("ServerAction(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestIsVersion(t *testing.T) {
	for s, want := range map[string]bool{
		"v1": true, "v2": true, "v2.0": true, "v2.1": true, "v3": true,
		"v": false, "v.2": false, "v2.": false, "v2.1.3": false, "servers": false, "V2": false, "2": false,
	} {
		if got := IsVersion(s); got != want {
			t.Errorf("IsVersion(%q) = %v, want %v", s, got, want)
		}
	}
}
