package logline

import "testing"

// credentialTexts are messages of the benchmark's data sets that hint at a
// credential (a ':' before a space, an '=') and quote none.
var credentialTexts = [][]byte{
	[]byte(`Lock "compute_resources" acquired by "nova.compute.resource_tracker.ResourceTracker._update_available_resource" :: waited 0.000s`),
	[]byte(`Final resource view: name=compute-1 phys_ram=257655MB used_ram=183296MB phys_disk=1787GB used_disk=720GB total_vcpus=64 used_vcpus=8 pci_stats=[]`),
	[]byte(`10.4.148.57 "DELETE /v2.1/3019096e963b2d0c5ce546a14b1f1592/servers/4ab7c01d-4c62-4026-9d7e-4efa549685cc/action HTTP/1.1" status: 409 len: 3179 time: 0.0922218`),
}

// BenchmarkCredentialSpans is CredentialSpans on texts that hint at a
// credential and hold none: the cost of masking a message that needs none.
func BenchmarkCredentialSpans(b *testing.B) {
	var spans []Span
	for b.Loop() {
		for _, t := range credentialTexts {
			spans = CredentialSpans(t, SensitiveName, spans[:0])
		}
	}
}
