package feedback

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// tokenLen is the length of a token as written in a link: 32 bytes in base64url.
const tokenLen = 43

// newToken returns a fresh link token and the hash stored in its place.
func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on the impossible)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

// hashToken is what the database keeps of a token: a stolen copy of the
// table opens no questionnaire.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether s could be a token, so that junk needs no query.
func wellFormed(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// answerID returns a random identifier for an answer. Not db.NewID: its
// UUIDv7 starts with the time, which would date the answer and so tie it to
// the link used at that moment.
func answerID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
