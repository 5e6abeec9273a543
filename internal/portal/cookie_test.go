package portal

import (
	"reflect"
	"testing"
)

// The session cookie round-trips the token and the flash messages, and
// refuses anything else rather than silently dropping it.
func TestSessionSerializer(t *testing.T) {
	in := map[any]any{"token": "abc", "_flash": []any{"success:Opgeslagen", "info:Let op"}}
	b, err := sessionSerializer{}.Serialize(in)
	if err != nil {
		t.Fatal(err)
	}
	out := map[any]any{}
	if err := (sessionSerializer{}).Deserialize(b, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip: got %#v, want %#v", out, in)
	}
	if _, err := (sessionSerializer{}).Serialize(map[any]any{"n": 1}); err == nil {
		t.Error("an int value was accepted")
	}
	if _, err := (sessionSerializer{}).Serialize(map[any]any{1: "x"}); err == nil {
		t.Error("a non-string key was accepted")
	}
	if err := (sessionSerializer{}).Deserialize([]byte(`{"x":{"y":1}}`), &out); err == nil {
		t.Error("an object value was accepted")
	}
}
