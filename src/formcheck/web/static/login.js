// The login form posts itself; this only says so when the last try was wrong.
if (new URLSearchParams(location.search).has("wrong")) {
  document.getElementById("error").hidden = false;
}
