package secret

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/config"
)

func key(id string, fill byte) config.Key {
	return config.Key{ID: id, Bytes: bytes.Repeat([]byte{fill}, 32)}
}

func TestSealOpenAndRotate(t *testing.T) {
	old, err := NewBox([]config.Key{key("k1", 1)})
	if err != nil {
		t.Fatal(err)
	}
	sealed, id := old.Seal([]byte("cs_geheim"), "review:1")
	if id != "k1" || bytes.Contains(sealed, []byte("cs_geheim")) {
		t.Fatalf("sealed with %q, plaintext visible: %v", id, bytes.Contains(sealed, []byte("cs_geheim")))
	}
	// After rotation the new key seals and the old value still opens.
	rotated, err := NewBox([]config.Key{key("k2", 2), key("k1", 1)})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed, id, "review:1"); err != nil || string(got) != "cs_geheim" {
		t.Fatalf("open after rotation: %q, %v", got, err)
	}
	if _, id2 := rotated.Seal([]byte("x"), "c"); id2 != "k2" {
		t.Errorf("new values sealed with %q, want k2", id2)
	}
	// Once the old key is gone, its values say so.
	gone, _ := NewBox([]config.Key{key("k2", 2)})
	if _, err := gone.Open(sealed, id, "review:1"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("open with removed key: %v, want ErrUnknownKey", err)
	}
}

func TestTamperAndContext(t *testing.T) {
	b, _ := NewBox([]config.Key{key("k1", 1)})
	sealed, id := b.Seal([]byte("secret"), "review:1")
	if _, err := b.Open(sealed, id, "review:2"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("value moved to another row opened: %v", err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	if _, err := b.Open(flipped, id, "review:1"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("tampered value opened: %v", err)
	}
	if _, err := b.Open([]byte("short"), id, "review:1"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short value: %v", err)
	}
	a, _ := b.Seal([]byte("same"), "c")
	c, _ := b.Seal([]byte("same"), "c")
	if bytes.Equal(a, c) {
		t.Error("two seals of the same value are identical (nonce reuse)")
	}
}

func TestMask(t *testing.T) {
	if got := Mask("ck_1234567890abcdef"); got != "ck_1••••••••" || strings.Contains(got, "567") {
		t.Errorf("Mask = %q", got)
	}
	if got := Mask("short"); got != "••••••••" {
		t.Errorf("Mask of short secret = %q", got)
	}
}

func TestNewBoxRefusesBadKeys(t *testing.T) {
	if _, err := NewBox(nil); err == nil {
		t.Error("no keys accepted")
	}
	if _, err := NewBox([]config.Key{{ID: "x", Bytes: []byte("short")}}); err == nil {
		t.Error("short key accepted")
	}
}
