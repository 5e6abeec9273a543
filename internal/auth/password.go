// Package auth is who may log in: password hashing, sessions, login
// throttling, password reset and invitations. It decides; the portal
// package only translates its answers into pages.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's baseline (19 MiB, 2 passes, 1 lane). The
// parameters are stored in each hash, so raising them later only affects
// new hashes.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits. The upper bound keeps a huge "password" from
// becoming a denial of service through hashing.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// ErrWeakPassword is returned for a password that breaks the policy; the
// message is Dutch because it is shown as is.
type ErrWeakPassword struct{ Reason string }

func (e ErrWeakPassword) Error() string { return e.Reason }

// CheckPasswordPolicy returns a Dutch reason when a new password is not
// acceptable.
func CheckPasswordPolicy(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ErrWeakPassword{fmt.Sprintf("Kies een wachtwoord van minstens %d tekens.", MinPasswordLen)}
	case n > MaxPasswordLen:
		return ErrWeakPassword{fmt.Sprintf("Kies een wachtwoord van hoogstens %d tekens.", MaxPasswordLen)}
	case email != "" && strings.EqualFold(password, email):
		return ErrWeakPassword{"Gebruik niet uw e-mailadres als wachtwoord."}
	case oneRepeatedRune(password):
		return ErrWeakPassword{"Kies een wachtwoord dat niet uit één herhaald teken bestaat."}
	}
	return nil
}

// oneRepeatedRune reports whether s is one character repeated, counting
// characters rather than bytes ("ééé" is one repeated character).
func oneRepeatedRune(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return s != "" && strings.Count(s, string(first)) == utf8.RuneCountInString(s)
}

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("malformed password hash")

// VerifyPassword reports whether password matches the encoded hash, in
// constant time.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var mem, iter uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iter, &threads); err != nil {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iter, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is verified against when an account does not exist, so a
// failed login takes as long whether or not the e-mail address is known.
var dummyHash, _ = HashPassword("not-a-real-password-0f7c")

// NewToken returns a random URL-safe token and the hash under which it is
// stored. Only the hash is kept, so the database alone cannot be used to
// log in or reset a password.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
