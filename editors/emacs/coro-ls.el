;;; coro-ls.el --- Misplaced coroutine syntax in Python, for eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Keywords: languages, tools, python
;; Package-Requires: ((emacs "27.1"))
;; URL: https://github.com/coro-ls/coro-ls

;;; Commentary:

;; Registers the coro-ls language server (the `coro-ls' command, installed with
;; `pip install coro-ls') with whichever LSP client is loaded:
;;
;; - eglot: an entry in `eglot-server-programs' for Python buffers.  Eglot runs one
;;   server per buffer, so this entry makes coro-ls *the* eglot server for Python; set
;;   `coro-ls-eglot-register' to nil before loading this file to keep another one.
;; - lsp-mode: an add-on client, which runs beside the main Python server (pyright,
;;   pylsp, ...) in the same buffer.
;;
;; Usage:
;;
;;   (load "/path/to/coro-ls/editors/emacs/coro-ls.el")
;;   (add-hook 'python-mode-hook #'eglot-ensure)   ; or #'lsp
;;
;; Settings go to the server as the `coroLs' section: with eglot through
;; `eglot-workspace-configuration', with lsp-mode through `lsp-register-custom-settings'.

;;; Code:

(defgroup coro-ls nil
  "The coro-ls language server."
  :group 'tools
  :prefix "coro-ls-")

(defcustom coro-ls-command '("coro-ls")
  "Command line that starts coro-ls over stdio.
For a server installed in a virtual environment, use its full path,
or e.g. (\"/path/to/venv/bin/python\" \"-m\" \"coro_ls\")."
  :type '(repeat string))

(defcustom coro-ls-eglot-register t
  "Whether loading coro-ls.el adds coro-ls to `eglot-server-programs'.
Eglot allows one server per buffer: when non-nil, coro-ls replaces the
Python server eglot would otherwise start."
  :type 'boolean)

(defconst coro-ls-major-modes '(python-mode python-ts-mode)
  "Major modes coro-ls serves.")

(defun coro-ls-eglot-contact (&optional _interactive)
  "The server command for eglot, read when a server starts.
Reading `coro-ls-command' here lets it be changed after this file is loaded."
  coro-ls-command)

(defvar eglot-server-programs)

(with-eval-after-load 'eglot
  (when coro-ls-eglot-register
    (add-to-list 'eglot-server-programs
                 (cons coro-ls-major-modes #'coro-ls-eglot-contact))))

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () coro-ls-command))
    :activation-fn (lsp-activate-on "python")
    ;; An add-on client starts in addition to the buffer's main server instead of
    ;; competing with it for the buffer.
    :add-on? t
    :priority -1
    :server-id 'coro-ls)))

(provide 'coro-ls)
;;; coro-ls.el ends here
