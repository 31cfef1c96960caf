;;; eglot_driver.el --- Drive eglot + Flymake through coro-ls, in batch  -*- lexical-binding: t; -*-

;; What a user does: load coro-ls.el, open a Python file with `eglot-ensure' on the
;; hook, read Flymake's diagnostics, put point on an `async for', M-x eglot-code-actions,
;; pick the expansion, save; then open a file whose error depends on coro-ls'
;; targetVersion.  With CORO_LS_TEST_TARGET_VERSION, the init sets that setting as README
;; says, and that file is all it opens.  Everything observed goes to a JSON file that
;; tests/editors/test_emacs.py compares with the engine's findings.
;;
;; Batch Emacs has no command loop: `post-command-hook' never runs and idle timers never
;; fire, yet eglot connects from the former and Flymake starts and eglot sends
;; didChange from the latter.  `coro-ls-test-pump' does what the command loop would do
;; between two keystrokes.

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
                 (type . ,(symbol-name (flymake-diagnostic-type diag)))
                 (line . ,(car beg)) (character . ,(cadr beg))
                 (end_line . ,(car end)) (end_character . ,(cadr end)))))
           (sort (flymake-diagnostics)
                 (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))

(defun coro-ls-test-connect (file)
  "Visit FILE and wait until eglot manages it."
  (find-file file)
  (coro-ls-test-put 'major_mode (symbol-name major-mode))
  (unless (coro-ls-test-wait (lambda () (and (eglot-current-server) eglot--managed-mode)) 60)
    (error "eglot did not connect"))
  (coro-ls-test-put 'server_command
                    (vconcat (process-command (jsonrpc--process (eglot-current-server))))))

(defun coro-ls-test-setting-file ()
  "Visit the file only targetVersion makes wrong; record what Flymake shows once checked."
  (coro-ls-test-connect (getenv "CORO_LS_TEST_SETTING_FILE"))
  ;; The server handles messages in order: once it answered a hover on this file, the
  ;; diagnostics it published for it have arrived.
  (jsonrpc-request (eglot-current-server) :textDocument/hover
                   (eglot--TextDocumentPositionParams))
  (let ((expected (string-to-number (getenv "CORO_LS_TEST_SETTING_COUNT"))))
    (coro-ls-test-wait (lambda () (>= (length (flymake-diagnostics)) expected)) 20))
  (let ((settle (+ (float-time) 0.5)))
    (coro-ls-test-wait (lambda () (> (float-time) settle)) 1))
  (coro-ls-test-put 'setting_diagnostics (coro-ls-test-diagnostics)))

(defun coro-ls-test-run ()
  (let ((repo (getenv "CORO_LS_TEST_REPO"))
        (target (getenv "CORO_LS_TEST_TARGET_VERSION")))
    (coro-ls-test-put 'version emacs-version)
    ;; What a normal start does before the init file and `emacs -q' skips: the installed
    ;; packages' autoloads (lsp-mode's diagnostics, modeline... features hook in through them).
    (package-activate-all)
    (load (expand-file-name "editors/emacs/coro-ls.el" repo) nil t)
    (require 'eglot)
    (coro-ls-test-put 'eglot_version (lm-version (locate-library "eglot.el")))
    (when-let ((command (getenv "CORO_LS_TEST_EGLOT_COMMAND")))
      ;; README's way to run coro-ls beside another server under eglot: a multiplexer.
      (add-to-list 'eglot-server-programs (cons 'python-mode (split-string command "\n"))))
    (when target
      ;; README's init-file line for the setting.
      (setq-default eglot-workspace-configuration `(:coroLs (:targetVersion ,target))))
    (add-hook 'python-mode-hook #'eglot-ensure)
    (unless target
      (coro-ls-test-sample))
    (condition-case err
        (coro-ls-test-setting-file)
      (error (coro-ls-test-put 'setting_error (error-message-string err))))))

(defun coro-ls-test-sample ()
  (let ((wanted (getenv "CORO_LS_TEST_ACTION_TITLE"))
        (expected (string-to-number (getenv "CORO_LS_TEST_DIAGNOSTIC_COUNT"))))
    (coro-ls-test-connect (getenv "CORO_LS_TEST_FILE"))
    (coro-ls-test-wait (lambda () (>= (length (flymake-diagnostics)) expected)) 60)
    ;; A server that sends more than expected must be seen doing it.
    (let ((settle (+ (float-time) 0.5)))
      (coro-ls-test-wait (lambda () (> (float-time) settle)) 1))
    (coro-ls-test-put 'diagnostics (coro-ls-test-diagnostics))

    ;; M-x eglot-code-actions with point on the `async for', answering its prompt.
    (goto-char (point-min))
    (forward-line (1- (string-to-number (getenv "CORO_LS_TEST_CURSOR_LINE"))))
    (forward-char (string-to-number (getenv "CORO_LS_TEST_CURSOR_COL")))
    (condition-case err
        (let ((tick (buffer-chars-modified-tick))
              ;; A key press, as after M-x; a mouse event would make eglot pop up a menu.
              (last-nonmenu-event ?\r)
              (completing-read-function
               (lambda (_prompt collection &rest _)
                 (coro-ls-test-put 'offered_titles (vconcat (all-completions "" collection)))
                 (if (assoc wanted collection) wanted ""))))
          (call-interactively #'eglot-code-actions)
          (coro-ls-test-put 'applied (if (/= tick (buffer-chars-modified-tick)) t :json-false))
          (save-buffer))
      (error (coro-ls-test-put 'action_error (error-message-string err))))))

(condition-case err
    (coro-ls-test-run)
  (error (coro-ls-test-put 'error (error-message-string err))))
;; The LSP traffic, for a failing test to show.
(when-let ((events (cl-find-if (lambda (buffer) (string-match-p "EGLOT.*events" (buffer-name buffer)))
                                (buffer-list))))
  (with-current-buffer events
    (coro-ls-test-put 'events (buffer-substring-no-properties
                               (max (point-min) (- (point-max) 30000)) (point-max)))))
(coro-ls-test-put 'messages
                  (with-current-buffer (messages-buffer)
                    (buffer-substring-no-properties (point-min) (point-max))))
(let ((json-encoding-pretty-print nil))
  (with-temp-file (getenv "CORO_LS_TEST_RESULT")
    (insert (json-encode coro-ls-test-result))))
(kill-emacs 0)

;;; eglot_driver.el ends here
