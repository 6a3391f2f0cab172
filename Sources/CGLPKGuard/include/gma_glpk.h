#ifndef GMA_GLPK_GUARD_H
#define GMA_GLPK_GUARD_H

/* A mixed-integer program in plain arrays, built in Swift and solved here in one C frame.
 * Every GLPK call of gma happens inside gma_milp_solve, behind a setjmp guard, so a GLPK error
 * (bad numbers, an internal assertion) returns an error instead of aborting the process. */

enum { GMA_COL_CONTINUOUS = 0, GMA_COL_INTEGER = 1, GMA_COL_BINARY = 2 };
enum { GMA_ROW_UPPER = 0, GMA_ROW_LOWER = 1, GMA_ROW_FIXED = 2, GMA_ROW_RANGE = 3 };

typedef struct {
    int rows, cols;
    const int *col_kind;        /* cols entries, GMA_COL_* */
    const double *col_lower;    /* cols entries */
    const double *col_upper;    /* cols entries; HUGE_VAL for no upper bound */
    const double *objective;    /* cols entries, minimised */
    double objective_constant;
    const int *row_kind;        /* rows entries, GMA_ROW_* */
    const double *row_lower, *row_upper;
    int nonzeros;
    const int *row_index;       /* 0-based */
    const int *col_index;       /* 0-based */
    const double *value;
    int time_limit_ms;          /* GLPK's own limit */
    double deadline;            /* absolute CLOCK_MONOTONIC seconds, checked in the B&B callback; 0 = none */
    double mip_gap;
    int presolve;               /* 1: GLPK's MIP presolver; 0: scale + simplex first (allows an incumbent) */
    const double *incumbent;    /* optional complete feasible point (cols entries), offered at the first heuristic call */
    const char *lp_path;        /* optional: write the model in CPLEX LP format, then stop */
    int branching;              /* 0: GLPK's default (Driebeck–Tomlin); else a GLP_BR_* value */
    int backtracking;           /* 0: GLPK's default (best local bound); else a GLP_BT_* value */
    int cuts;                   /* bit set: 1 Gomory, 2 MIR, 4 cover, 8 clique */
    const char *const *col_names;   /* optional names (cols entries), used in the LP file */
    const char *const *row_names;   /* optional names (rows entries) */
} gma_milp;

typedef struct {
    int ret;                    /* glp_intopt's return; -1 GLPK error; -2 writing lp failed; -3 simplex failed */
    int status;                 /* glp_mip_status: 1 undefined, 2 feasible, 4 no feasible, 5 optimal */
    double objective;
    double bound;               /* best known lower bound */
    int nodes;
    int deadline_hit;
    double *solution;           /* caller-allocated, cols entries */
    char message[1024];         /* what GLPK printed last (errors) */
} gma_milp_result;

int gma_milp_solve(const gma_milp *model, gma_milp_result *result);
double gma_monotonic_seconds(void);

#endif
