// Package secret encrypts what suppliers entrust to OHIS (API credentials)
// at rest with AES-256-GCM. Every sealed value records the id of the key
// that sealed it, so keys can be rotated: new values use the first
// configured key, old values stay readable while their key is configured.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/wujw/ohis/internal/config"
)

// ErrUnknownKey is returned for a value sealed with a key that is no longer
// configured.
var ErrUnknownKey = errors.New("secret: sealed with a key that is not configured")

// ErrCorrupt is returned when a sealed value does not authenticate.
var ErrCorrupt = errors.New("secret: sealed value is corrupt or was tampered with")

// Box seals and opens values.
type Box struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewBox returns a Box over the configured encryption keys; the first is
// used for sealing.
func NewBox(keys []config.Key) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no encryption keys configured")
	}
	b := &Box{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if len(k.Bytes) != 32 {
			return nil, fmt.Errorf("secret: key %q must be 32 bytes for AES-256", k.ID)
		}
		block, err := aes.NewCipher(k.Bytes)
		if err != nil {
			return nil, fmt.Errorf("secret: key %q: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: key %q: %w", k.ID, err)
		}
		b.aeads[k.ID] = aead
	}
	return b, nil
}

// Seal encrypts plaintext and returns the sealed bytes and the key id to
// store beside them. context binds the value to where it is stored (for
// example "custom_api_review:12"), so a sealed value copied to another row
// does not open.
func (b *Box) Seal(plaintext []byte, context string) (sealed []byte, keyID string) {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(context)), b.current
}

// Open decrypts a sealed value.
func (b *Box) Open(sealed []byte, keyID, context string) ([]byte, error) {
	aead, ok := b.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("%w (key id %q)", ErrUnknownKey, keyID)
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrCorrupt
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// CurrentKeyID is the id of the key new values are sealed with.
func (b *Box) CurrentKeyID() string { return b.current }

// Mask shows the start of a secret and hides the rest, for displaying a
// stored credential: "ck_1a2b…" (never more than 4 characters of it).
func Mask(s string) string {
	const show = 4
	r := []rune(s)
	if len(r) <= show*2 {
		return "••••••••"
	}
	return string(r[:show]) + "••••••••"
}
