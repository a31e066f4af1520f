#ifndef AFT_CEDITLINE_SHIM_H
#define AFT_CEDITLINE_SHIM_H

// libedit's own header; GNU readline's headers are installed too and must not be used.
#include <histedit.h>
#include <stdio.h>

// Swift cannot call the variadic el_set, el_get and history, so each call the shell
// makes has a fixed-argument wrapper here. The argument lists follow histedit.h of
// libedit 3.1 (Debian 12's libedit-dev 3.1-20221030).

typedef char *(*aft_prompt_function)(EditLine *);
typedef unsigned char (*aft_editor_function)(EditLine *, int);

// el_init needs the C streams, which Swift 6 cannot reach as globals.
static inline EditLine *aft_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}

static inline int aft_el_set_prompt(EditLine *editor, aft_prompt_function prompt) {
    return el_set(editor, EL_PROMPT, prompt);
}

static inline int aft_el_set_editor(EditLine *editor, const char *mode) {
    return el_set(editor, EL_EDITOR, mode);
}

// With EL_SIGNAL on, libedit restores the terminal before the process's own handlers run.
static inline int aft_el_set_signal(EditLine *editor, int handle) {
    return el_set(editor, EL_SIGNAL, handle);
}

static inline int aft_el_set_client_data(EditLine *editor, void *data) {
    return el_set(editor, EL_CLIENTDATA, data);
}

static inline void *aft_el_get_client_data(EditLine *editor) {
    void *data = NULL;
    if (el_get(editor, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}

static inline int aft_el_add_function(EditLine *editor, const char *name, const char *help, aft_editor_function function) {
    return el_set(editor, EL_ADDFN, name, help, function);
}

static inline int aft_el_bind(EditLine *editor, const char *key, const char *function) {
    return el_set(editor, EL_BIND, key, function, NULL);
}

// Changes one terminal mode flag, such as "-isig", only while libedit edits a line ("-d").
// The modes in force while a command runs stay as the terminal had them.
static inline int aft_el_set_edit_tty_mode(EditLine *editor, const char *mode) {
    return el_set(editor, EL_SETTY, "-d", mode, NULL);
}

static inline int aft_el_set_history(EditLine *editor, History *history_state) {
    return el_set(editor, EL_HIST, history, history_state);
}

static inline int aft_history_set_size(History *history_state, int size) {
    HistEvent event;
    return history(history_state, &event, H_SETSIZE, size);
}

static inline int aft_history_set_unique(History *history_state, int unique) {
    HistEvent event;
    return history(history_state, &event, H_SETUNIQUE, unique);
}

static inline int aft_history_enter(History *history_state, const char *line) {
    HistEvent event;
    return history(history_state, &event, H_ENTER, line);
}

// libedit writes the prompt and line through the stdout FILE, so output written straight
// to descriptor 1 (a completion listing) must come after what that FILE still buffers.
static inline void aft_flush_stdout(void) {
    fflush(stdout);
}

#endif
