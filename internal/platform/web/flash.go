package web

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind    string // "success" or "error"
	Message string
}

const flashCookie = "tremplin_flash"

// SetFlash stores a message for the next page.
func SetFlash(w http.ResponseWriter, kind, msg string) {
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: kind + "|" + base64.RawURLEncoding.EncodeToString([]byte(msg)),
		Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60,
	})
}

// TakeFlash reads and clears the pending message.
func TakeFlash(w http.ResponseWriter, r *http.Request) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	kind, enc, ok := strings.Cut(c.Value, "|")
	msg, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || (kind != "success" && kind != "error") {
		return nil
	}
	return &Flash{Kind: kind, Message: string(msg)}
}

// Redirect sets a success flash and redirects with 303 after a form post.
func Redirect(w http.ResponseWriter, r *http.Request, to, msg string) {
	if msg != "" {
		SetFlash(w, "success", msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
