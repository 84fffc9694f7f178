// Package account serves the pages of the signed-in staff member: login and
// logout, password reset, the account page with the organisation switch, the
// password change and the API tokens.
package account

import (
	"embed"
	"net/http"
	"net/url"
	"strings"

	"tremplin/internal/platform/auth"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/web"
)

//go:embed templates/*.html
var templates embed.FS

// Web serves the account pages.
type Web struct {
	Auth     *auth.Service
	R        *web.Renderer
	Sessions web.Sessions
}

// Register adds the routes.
func (h Web) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /connexion", h.loginForm)
	mux.HandleFunc("POST /connexion", h.login)
	mux.HandleFunc("POST /deconnexion", h.logout)
	mux.HandleFunc("GET /mot-de-passe/oublie", h.forgotForm)
	mux.HandleFunc("POST /mot-de-passe/oublie", h.forgot)
	mux.HandleFunc("GET /mot-de-passe/nouveau", h.resetForm)
	mux.HandleFunc("POST /mot-de-passe/nouveau", h.reset)
	mux.HandleFunc("GET /compte", web.RequireUser(h.show))
	mux.HandleFunc("POST /compte/structure", web.RequireUser(h.switchOrg))
	mux.HandleFunc("POST /compte/mot-de-passe", web.RequireUser(h.changePassword))
	mux.HandleFunc("POST /compte/jetons", web.RequireUser(h.createToken))
	mux.HandleFunc("POST /compte/jetons/{id}/revoquer", web.RequireUser(h.revokeToken))
}

// safeNext keeps only local paths, so the login page cannot redirect elsewhere.
func safeNext(next string) string {
	// Browsers drop control characters and read "\" as "/": "/\t/evil" would become "//evil".
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return u.RequestURI()
}

func (h Web) loginForm(w http.ResponseWriter, r *http.Request) {
	if web.Actor(r.Context()).Authenticated() {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("suivant")), http.StatusSeeOther)
		return
	}
	form := url.Values{"suivant": {r.URL.Query().Get("suivant")}}
	h.R.Render(w, r, http.StatusOK, templates, "templates/login.html", web.Page{Title: "Connexion", Form: form})
}

func (h Web) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.R.Error(w, r, errs.New(errs.Invalid, "Formulaire illisible."))
		return
	}
	secret, _, err := h.Auth.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), web.ClientIP(r, h.Sessions.TrustProxy))
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized || errs.CodeOf(err) == errs.TooManyRequests {
			form := url.Values{"email": {r.PostForm.Get("email")}, "suivant": {r.PostForm.Get("suivant")}}
			h.R.Render(w, r, errs.HTTPStatus(err), templates, "templates/login.html", web.Page{
				Title: "Connexion", Form: form, Errors: map[string]string{"email": errs.MessageOf(err)}, ErrorSummary: errs.MessageOf(err)})
			return
		}
		h.R.Error(w, r, err)
		return
	}
	h.Sessions.Set(w, r, secret)
	http.Redirect(w, r, safeNext(r.PostForm.Get("suivant")), http.StatusSeeOther)
}

func (h Web) logout(w http.ResponseWriter, r *http.Request) {
	if secret := web.SessionSecret(r.Context()); secret != "" {
		if err := h.Auth.Logout(r.Context(), secret, web.Actor(r.Context())); err != nil {
			h.R.Error(w, r, err)
			return
		}
	}
	h.Sessions.Clear(w)
	web.Redirect(w, r, "/connexion", "Vous êtes déconnecté.")
}

func (h Web) forgotForm(w http.ResponseWriter, r *http.Request) {
	h.R.Render(w, r, http.StatusOK, templates, "templates/forgot.html", web.Page{Title: "Mot de passe oublié"})
}

func (h Web) forgot(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if err := h.Auth.RequestReset(r.Context(), r.PostForm.Get("email"), web.ClientIP(r, h.Sessions.TrustProxy)); err != nil {
		h.R.FormPage(w, r, templates, "templates/forgot.html", web.Page{Title: "Mot de passe oublié"}, err)
		return
	}
	web.Redirect(w, r, "/connexion", "Si un compte existe avec cette adresse, un lien pour choisir un nouveau mot de passe vient de lui être envoyé.")
}

func (h Web) resetForm(w http.ResponseWriter, r *http.Request) {
	form := url.Values{"jeton": {r.URL.Query().Get("jeton")}}
	h.R.Render(w, r, http.StatusOK, templates, "templates/reset.html", web.Page{Title: "Nouveau mot de passe", Form: form})
}

func (h Web) reset(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	err := confirmed(f)
	if err == nil {
		err = h.Auth.ResetPassword(r.Context(), f.Get("jeton"), f.Get("password"), web.ClientIP(r, h.Sessions.TrustProxy))
	}
	if err != nil {
		h.R.FormPage(w, r, templates, "templates/reset.html", web.Page{Title: "Nouveau mot de passe", Form: url.Values{"jeton": {f.Get("jeton")}}}, err)
		return
	}
	web.Redirect(w, r, "/connexion", "Votre mot de passe a été changé. Vous pouvez vous connecter.")
}

// confirmed checks that the new password was typed twice the same.
func confirmed(f url.Values) error {
	if f.Get("password") != f.Get("confirm") {
		return errs.FieldErrors{"confirm": "Les deux mots de passe ne sont pas identiques."}.Err()
	}
	return nil
}

type accountData struct {
	Tokens   []auth.Token
	NewToken string
}

func (h Web) show(w http.ResponseWriter, r *http.Request) {
	h.renderAccount(w, r, http.StatusOK, "", nil)
}

func (h Web) renderAccount(w http.ResponseWriter, r *http.Request, status int, newToken string, formErr error) {
	tokens, err := h.Auth.Tokens(r.Context(), web.Actor(r.Context()))
	if err != nil {
		h.R.Error(w, r, err)
		return
	}
	p := web.Page{Title: "Mon compte", Data: accountData{Tokens: tokens, NewToken: newToken}}
	if formErr != nil {
		p.Errors, p.ErrorSummary = errs.FieldsOf(formErr), errs.MessageOf(formErr)
		if len(p.Errors) == 0 {
			p.Errors = map[string]string{"": errs.MessageOf(formErr)}
		}
		status = errs.HTTPStatus(formErr)
	}
	h.R.Render(w, r, status, templates, "templates/account.html", p)
}

func (h Web) switchOrg(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if err := h.Auth.SwitchOrg(r.Context(), web.SessionSecret(r.Context()), web.User(r.Context()), r.PostForm.Get("organisation")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/", "Structure courante changée.")
}

func (h Web) changePassword(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	f := r.PostForm
	err := confirmed(f)
	if err == nil {
		err = h.Auth.SetPassword(r.Context(), web.Actor(r.Context()), f.Get("current"), f.Get("password"), web.SessionSecret(r.Context()))
	}
	if err != nil {
		h.renderAccount(w, r, 0, "", err)
		return
	}
	web.Redirect(w, r, "/compte", "Mot de passe changé.")
}

func (h Web) createToken(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	secret, _, err := h.Auth.CreateToken(r.Context(), web.Actor(r.Context()), r.PostForm.Get("name"))
	if err != nil {
		h.renderAccount(w, r, 0, "", err)
		return
	}
	// The secret is shown once, on this response only.
	h.renderAccount(w, r, http.StatusCreated, secret, nil)
}

func (h Web) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := h.Auth.RevokeToken(r.Context(), web.Actor(r.Context()), r.PathValue("id")); err != nil {
		h.R.Error(w, r, err)
		return
	}
	web.Redirect(w, r, "/compte", "Jeton révoqué.")
}
