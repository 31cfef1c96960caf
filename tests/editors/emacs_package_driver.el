;;; emacs_package_driver.el --- coro-ls.el as a package.el user gets it  -*- lexical-binding: t; -*-

;; Two sessions, chosen by CORO_LS_TEST_STEP, with CORO_LS_TEST_PACKAGE_DIR as
;; `package-user-dir' (Debian's elpa-* packages stay visible through
;; `package-directory-list'):
;; - "install": M-x package-install-file on editors/emacs/coro-ls.el (CORO_LS_TEST_EL);
;; - "use": a later session: `package-initialize' only, then eglot and lsp-mode load as
;;   their hooks would load them (with CORO_LS_TEST_KEEP_OTHER_SERVER, after the init file
;;   set `coro-ls-eglot-register' to nil).
;; What it sees goes to CORO_LS_TEST_RESULT as JSON for tests/editors/test_emacs_package.py.

;;; Code:

(require 'json)
(require 'package)

(defvar coro-ls-test-result nil)

(defun coro-ls-test-note (key value)
  (push (cons key value) coro-ls-test-result))

(defun coro-ls-test-install ()
  (package-install-file (getenv "CORO_LS_TEST_EL"))
  (let ((desc (cadr (assq 'coro-ls package-alist))))
    (coro-ls-test-note 'version (package-version-join (package-desc-version desc)))
    (coro-ls-test-note 'summary (package-desc-summary desc))
    (coro-ls-test-note 'files (vconcat (directory-files (package-desc-dir desc) nil "^[^.]"))))
  (coro-ls-test-note 'compile_log
                     (if (get-buffer "*Compile-Log*")
                         (with-current-buffer "*Compile-Log*" (buffer-string))
                       "")))

(defvar coro-ls-eglot-register)

(defun coro-ls-test-use ()
  (when (getenv "CORO_LS_TEST_KEEP_OTHER_SERVER")
    ;; README's way to keep another eglot server: in the init file, before eglot loads.
    (setq coro-ls-eglot-register nil))
  (coro-ls-test-note 'activated (and (assq 'coro-ls package-alist) t))
  (coro-ls-test-note 'loaded_before_a_client (featurep 'coro-ls))
  (require 'eglot)
  (coro-ls-test-note 'loaded_with_eglot (featurep 'coro-ls))
  (let ((entry (assoc '(python-mode python-ts-mode) eglot-server-programs)))
    (coro-ls-test-note 'eglot_entry_first (eq entry (car eglot-server-programs)))
    (coro-ls-test-note 'eglot_command
                       (and entry (functionp (cdr entry)) (vconcat (funcall (cdr entry))))))
  (require 'lsp-mode)
  (let ((client (gethash 'coro-ls lsp-clients)))
    (coro-ls-test-note 'lsp_client (and client t))
    (coro-ls-test-note 'lsp_add_on (and client (lsp--client-add-on? client) t))))

(condition-case err
    (progn
      (setq package-user-dir (getenv "CORO_LS_TEST_PACKAGE_DIR"))
      (package-initialize)
      (pcase (getenv "CORO_LS_TEST_STEP")
        ("install" (coro-ls-test-install))
        ("use" (coro-ls-test-use))))
  (error (coro-ls-test-note 'error (error-message-string err))))

(with-temp-file (getenv "CORO_LS_TEST_RESULT")
  (let ((json-false :json-false))
    (insert (json-encode (mapcar (lambda (pair)
                                   (cons (car pair) (if (eq (cdr pair) nil) :json-false (cdr pair))))
                                 coro-ls-test-result)))))

;;; emacs_package_driver.el ends here
