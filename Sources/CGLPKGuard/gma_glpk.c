#include "gma_glpk.h"
#include <glpk.h>
#include <math.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    jmp_buf jump;
    char text[1024];
    size_t used;
} guard_state;

typedef struct {
    const gma_milp *model;
    gma_milp_result *result;
    int offered_incumbent;
} callback_state;

double gma_monotonic_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* GLPK prints fatal errors even with terminal output off; keep the tail of it as the error message. */
static int capture_text(void *info, const char *s) {
    guard_state *g = (guard_state *)info;
    size_t n = strlen(s);
    if (g->used + n >= sizeof g->text) g->used = 0;
    if (n >= sizeof g->text) n = sizeof g->text - 1;
    memcpy(g->text + g->used, s, n);
    g->used += n;
    g->text[g->used] = 0;
    return 1;
}

/* GLPK aborts if its error hook returns, so jump back to gma_milp_solve. */
static void on_error(void *info) { longjmp(((guard_state *)info)->jump, 1); }

static void on_branch(glp_tree *tree, void *info) {
    callback_state *cb = (callback_state *)info;
    int active = 0, live = 0, total = 0;
    glp_ios_tree_size(tree, &active, &live, &total);
    cb->result->nodes = total;
    int best = glp_ios_best_node(tree);
    if (best != 0) {
        double b = glp_ios_node_bound(tree, best);
        if (b > cb->result->bound) cb->result->bound = b;
    }
    if (glp_ios_reason(tree) == GLP_IHEUR && cb->model->incumbent && !cb->offered_incumbent) {
        cb->offered_incumbent = 1;
        int n = cb->model->cols;
        double *x = (double *)malloc(sizeof(double) * (size_t)(n + 1));
        if (x) {
            x[0] = 0;
            for (int j = 0; j < n; j++) x[j + 1] = cb->model->incumbent[j];
            glp_ios_heur_sol(tree, x);
            free(x);
        }
    }
    if (cb->model->deadline > 0 && gma_monotonic_seconds() >= cb->model->deadline) {
        cb->result->deadline_hit = 1;
        glp_ios_terminate(tree);
    }
}

static void load(glp_prob *P, const gma_milp *m, int *ia, int *ja, double *ar) {
    glp_set_obj_dir(P, GLP_MIN);
    glp_set_obj_coef(P, 0, m->objective_constant);
    if (m->rows > 0) glp_add_rows(P, m->rows);
    if (m->cols > 0) glp_add_cols(P, m->cols);
    for (int i = 0; i < m->rows; i++) {
        int type = GLP_UP;
        switch (m->row_kind[i]) {
        case GMA_ROW_LOWER: type = GLP_LO; break;
        case GMA_ROW_FIXED: type = GLP_FX; break;
        case GMA_ROW_RANGE: type = GLP_DB; break;
        default: type = GLP_UP; break;
        }
        glp_set_row_bnds(P, i + 1, type, m->row_lower[i], m->row_upper[i]);
        if (m->row_names) glp_set_row_name(P, i + 1, m->row_names[i]);
    }
    for (int j = 0; j < m->cols; j++) {
        double lo = m->col_lower[j], up = m->col_upper[j];
        int type = isinf(up) ? GLP_LO : (lo == up ? GLP_FX : GLP_DB);
        if (m->col_kind[j] == GMA_COL_BINARY) glp_set_col_kind(P, j + 1, GLP_BV);
        else if (m->col_kind[j] == GMA_COL_INTEGER) glp_set_col_kind(P, j + 1, GLP_IV);
        glp_set_col_bnds(P, j + 1, type, lo, isinf(up) ? 0.0 : up);
        glp_set_obj_coef(P, j + 1, m->objective[j]);
        if (m->col_names) glp_set_col_name(P, j + 1, m->col_names[j]);
    }
    for (int k = 0; k < m->nonzeros; k++) {
        ia[k + 1] = m->row_index[k] + 1;
        ja[k + 1] = m->col_index[k] + 1;
        ar[k + 1] = m->value[k];
    }
    glp_load_matrix(P, m->nonzeros, ia, ja, ar);
}

int gma_milp_solve(const gma_milp *model, gma_milp_result *result) {
    static _Thread_local guard_state guard;
    glp_prob *volatile P = NULL;
    int *volatile ia = NULL;
    int *volatile ja = NULL;
    double *volatile ar = NULL;
    callback_state cb = {model, result, 0};

    result->ret = 0;
    result->status = GLP_UNDEF;
    result->objective = 0;
    result->bound = -HUGE_VAL;
    result->nodes = 0;
    result->deadline_hit = 0;
    result->message[0] = 0;
    guard.used = 0;
    guard.text[0] = 0;

    size_t nz = (size_t)model->nonzeros + 1;
    ia = (int *)malloc(sizeof(int) * nz);
    ja = (int *)malloc(sizeof(int) * nz);
    ar = (double *)malloc(sizeof(double) * nz);
    if (!ia || !ja || !ar) {
        free(ia); free(ja); free(ar);
        strcpy(result->message, "out of memory");
        result->ret = -1;
        return -1;
    }

    glp_term_hook(capture_text, &guard);
    if (setjmp(guard.jump)) {
        /* Frees every GLPK object of this thread, P included. */
        glp_error_hook(NULL, NULL);
        glp_free_env();
        strncpy(result->message, guard.text, sizeof result->message - 1);
        result->message[sizeof result->message - 1] = 0;
        free(ia); free(ja); free(ar);
        result->ret = -1;
        result->status = GLP_UNDEF;
        return -1;
    }
    glp_error_hook(on_error, &guard);

    P = glp_create_prob();
    load(P, model, ia, ja, ar);

    if (model->lp_path) {
        /* The LP format has no objective constant: carry it as a column fixed at 1. */
        if (model->objective_constant != 0) {
            int j = glp_add_cols(P, 1);
            glp_set_col_name(P, j, "constant_term");
            glp_set_col_bnds(P, j, GLP_FX, 1.0, 1.0);
            glp_set_obj_coef(P, j, model->objective_constant);
            glp_set_obj_coef(P, 0, 0.0);
        }
        result->ret = glp_write_lp(P, NULL, model->lp_path) == 0 ? 0 : -2;
        if (result->ret != 0) strncpy(result->message, guard.text, sizeof result->message - 1);
    } else {
        glp_iocp iocp;
        glp_init_iocp(&iocp);
        iocp.msg_lev = GLP_MSG_OFF;
        iocp.presolve = model->presolve ? GLP_ON : GLP_OFF;
        iocp.mip_gap = model->mip_gap;
        iocp.tm_lim = model->time_limit_ms > 0 ? model->time_limit_ms : 1;
        if (model->branching) iocp.br_tech = model->branching;
        if (model->backtracking) iocp.bt_tech = model->backtracking;
        iocp.gmi_cuts = (model->cuts & 1) ? GLP_ON : GLP_OFF;
        iocp.mir_cuts = (model->cuts & 2) ? GLP_ON : GLP_OFF;
        iocp.cov_cuts = (model->cuts & 4) ? GLP_ON : GLP_OFF;
        iocp.clq_cuts = (model->cuts & 8) ? GLP_ON : GLP_OFF;
        iocp.cb_func = on_branch;
        iocp.cb_info = &cb;
        int simplex_ok = 1;
        if (!model->presolve) {
            glp_smcp smcp;
            glp_init_smcp(&smcp);
            smcp.msg_lev = GLP_MSG_OFF;
            smcp.tm_lim = iocp.tm_lim;
            // The root LP by the dual simplex (primal as GLPK's fallback): on the 1,000-service proofs it took a
            // third less time to optimality than the primal (BENCHMARKS.md, "Several edges").
            smcp.meth = GLP_DUALP;
            glp_scale_prob(P, GLP_SF_AUTO);
            int r = glp_simplex(P, &smcp);
            if (r != 0 || glp_get_status(P) != GLP_OPT) {
                simplex_ok = 0;
                result->ret = r != 0 ? r : -3;
                result->status = glp_get_status(P) == GLP_NOFEAS ? GLP_NOFEAS : GLP_UNDEF;
            }
        }
        if (simplex_ok) {
            result->ret = glp_intopt(P, &iocp);
            result->status = glp_mip_status(P);
            if (result->status == GLP_OPT || result->status == GLP_FEAS) {
                result->objective = glp_mip_obj_val(P);
                for (int j = 0; j < model->cols; j++) result->solution[j] = glp_mip_col_val(P, j + 1);
            }
            if (result->status == GLP_OPT) result->bound = result->objective;
        }
    }
    glp_delete_prob(P);
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
    free(ia); free(ja); free(ar);
    return result->ret;
}
