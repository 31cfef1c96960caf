;;; lsp_mode_driver.el --- Drive lsp-mode + Flymake through coro-ls, in batch  -*- lexical-binding: t; -*-

;; What an lsp-mode user does: load coro-ls.el, open a Python file in a project whose main
;; server is another one (a stand-in registered here the way lsp-mode's own Python clients
;; are), M-x lsp, read Flymake's diagnostics, M-x lsp-execute-code-action on an `async for',
;; pick the expansion, save.  The result goes to a JSON file for tests/editors/test_emacs.py.
;; See eglot_driver.el for why the command loop is pumped by hand.

;;; Code:

(require 'cl-lib)
(require 'json)
(require 'lisp-mnt)
(require 'subr-x)

(defvar coro-ls-test-result (list (cons 'offered_titles [])))

(defun coro-ls-test-put (key value)
  (setf (alist-get key coro-ls-test-result) value))

(defun coro-ls-test-pump ()
  "Process server output, then run what the command loop runs when the user pauses."
  (accept-process-output nil 0.05)
  (run-hooks 'post-command-hook)
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun coro-ls-test-wait (predicate seconds)
  "Pump until PREDICATE returns non-nil or SECONDS pass; return its last value."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (coro-ls-test-pump))
    value))

(defun coro-ls-test-position (pos)
  "POS as (LINE COLUMN), both 0-based, COLUMN in characters from the line start."
  (save-excursion
    (goto-char pos)
    (list (1- (line-number-at-pos pos t)) (- pos (line-beginning-position)))))

(defun coro-ls-test-diagnostics ()
  (vconcat
   (mapcar (lambda (diag)
             (let ((beg (coro-ls-test-position (flymake-diagnostic-beg diag)))
                   (end (coro-ls-test-position (flymake-diagnostic-end diag))))
               `((text . ,(flymake-diagnostic-text diag))
                 (line . ,(car beg)) (character . ,(cadr beg))
                 (end_line . ,(car end)) (end_character . ,(cadr end)))))
           (sort (flymake-diagnostics)
                 (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))

(defun coro-ls-test-server-ids ()
  (sort (mapcar (lambda (workspace) (symbol-name (lsp--workspace-server-id workspace)))
                (lsp-workspaces))
        #'string<))

(defun coro-ls-test-run ()
  (let* ((repo (getenv "CORO_LS_TEST_REPO"))
         (file (getenv "CORO_LS_TEST_FILE"))
         (wanted (getenv "CORO_LS_TEST_ACTION_TITLE"))
         (expected (string-to-number (getenv "CORO_LS_TEST_DIAGNOSTIC_COUNT")))
         (other-message (getenv "CORO_LS_TEST_OTHER_MESSAGE")))
    (coro-ls-test-put 'version emacs-version)
    ;; What a normal start does before the init file and `emacs -q' skips: the installed
    ;; packages' autoloads (lsp-mode's diagnostics, modeline... features hook in through them).
    (package-activate-all)
    (load (expand-file-name "editors/emacs/coro-ls.el" repo) nil t)
    (require 'lsp-mode)
    (coro-ls-test-put 'lsp_mode_version (lm-version (locate-library "lsp-mode.el")))
    (setq lsp-session-file (expand-file-name "lsp-session" (getenv "HOME"))
          lsp-diagnostics-provider :flymake
          lsp-enable-file-watchers nil
          lsp-headerline-breadcrumb-enable nil
          lsp-modeline-code-actions-enable nil
          lsp-modeline-diagnostics-enable nil
          lsp-modeline-workspace-status-enable nil
          lsp-lens-enable nil
          lsp-enable-snippet nil
          lsp-auto-execute-action nil
          lsp-restart 'ignore)
    ;; The buffer's main Python server, as lsp-pylsp or lsp-pyright would register it.
    (lsp-register-client
     (make-lsp-client
      :new-connection (lsp-stdio-connection
                       (list (getenv "CORO_LS_TEST_OTHER_PYTHON")
                             (getenv "CORO_LS_TEST_OTHER_SCRIPT")))
      :activation-fn (lsp-activate-on "python")
      :priority 10
      :server-id 'other-python-server))
    ;; What answering "Import project root" does.
    (lsp-workspace-folders-add (file-name-directory file))
    (find-file file)
    (lsp)
    (unless (coro-ls-test-wait
             (lambda () (equal (coro-ls-test-server-ids) '("coro-ls" "other-python-server")))
             60)
      (error "lsp-mode started %S" (coro-ls-test-server-ids)))
    (coro-ls-test-put 'servers (vconcat (coro-ls-test-server-ids)))
    ;; lsp-mode's Flymake text is the bare message: tell the other server's apart by it.
    (coro-ls-test-wait
     (lambda ()
       (>= (cl-count-if-not (lambda (diag) (equal (flymake-diagnostic-text diag) other-message))
                            (flymake-diagnostics))
           expected))
     60)
    (let ((settle (+ (float-time) 0.5)))
      (coro-ls-test-wait (lambda () (> (float-time) settle)) 1))
    (coro-ls-test-put 'diagnostics (coro-ls-test-diagnostics))

    ;; M-x lsp-execute-code-action with point on the `async for', answering its prompt.
    (goto-char (point-min))
    (forward-line (1- (string-to-number (getenv "CORO_LS_TEST_CURSOR_LINE"))))
    (forward-char (string-to-number (getenv "CORO_LS_TEST_CURSOR_COL")))
    (condition-case err
        (let ((tick (buffer-chars-modified-tick))
              (completing-read-function
               (lambda (_prompt collection &rest _)
                 (let ((titles (all-completions "" collection)))
                   (coro-ls-test-put 'offered_titles (vconcat titles))
                   (or (cl-find-if (lambda (title) (string-prefix-p wanted title)) titles)
                       "")))))
          (call-interactively #'lsp-execute-code-action)
          (coro-ls-test-wait (lambda () (/= tick (buffer-chars-modified-tick))) 20)
          (coro-ls-test-put 'applied (if (/= tick (buffer-chars-modified-tick)) t :json-false))
          (save-buffer))
      (error (coro-ls-test-put 'action_error (error-message-string err))))))

(condition-case err
    (coro-ls-test-run)
  (error (coro-ls-test-put 'error (error-message-string err))))
(coro-ls-test-put 'messages
                  (with-current-buffer (messages-buffer)
                    (buffer-substring-no-properties (point-min) (point-max))))
(let ((json-encoding-pretty-print nil))
  (with-temp-file (getenv "CORO_LS_TEST_RESULT")
    (insert (json-encode coro-ls-test-result))))
(kill-emacs 0)

;;; lsp_mode_driver.el ends here
