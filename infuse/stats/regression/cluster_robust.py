"""Cluster-robust variance: CR2 (Bell-McCaffrey) with Satterthwaite degrees of freedom.

CR2 never forms the ``n_g x n_g`` blocks of the textbook formula for large clusters, nor
``p x p`` blocks per cluster when clusters are small: the projection block ``H_gg`` has rank at
most ``min(n_g, p)``, so its inverse square root comes from whichever eigenproblem is smaller
(``p x p`` from ``X_g'X_g`` when ``n_g > p``, else ``n_g x n_g`` from ``H_gg`` itself). Panels
with one dummy per unit (``p ~ G``, ``n_g`` = periods) thus cost ``O(n n_g p)`` instead of
``O(G p^3)``. The Satterthwaite degrees of freedom are computed only for what is asked for: a
contrast's own via :meth:`~infuse.stats.regression.ols.OLSFit.contrast_df`, the vector for every
coefficient on first access to :attr:`~infuse.stats.regression.ols.OLSFit.df`.

Used by :func:`~infuse.stats.regression.ols.fit_ols`; nothing here is public API.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FEW_CLUSTERS, factor_codes, group_sums
from infuse.stats.regression._linalg import LEVERAGE_TOL, Covariance, FloatArray, group_grams
from infuse.stats.results import StatWarning

__all__: list[str] = []

# Contrasts whose df are computed together are chunked so that the per-cluster rows of
# ``B L`` (contrasts x G x p) stay below this many floats (16 MB).
_DF_CHUNK_FLOATS = 2**21


@dataclass(frozen=True)
class _SmallClusters:
    """Clusters of one size ``s <= p``, kept as ``n_g x n_g`` blocks for batched products."""

    q: FloatArray  # their rows of Q (X = QR), Gs x s x p
    adjust: FloatArray  # A_g = (I - H_gg)^{-1/2} (Moore-Penrose), Gs x s x s


@dataclass(frozen=True)
class CR2Parts:
    """Per-cluster matrices that let any contrast get its Bell-McCaffrey degrees of freedom.

    Clusters larger than ``p`` keep ``p x p`` blocks in ``X`` coordinates; clusters of at most
    ``p`` rows keep ``A_g`` itself (see :func:`cr2_parts` for why both). The order of clusters
    is irrelevant: the df only involve sums over clusters and ``||B M B'||_F``.
    """

    bread: FloatArray  # M = (X'X)^{-1}, p x p
    r_inv: FloatArray  # L = R^{-1}, so M = L L' and X L = Q
    n_clusters: int
    adjusted_gram: FloatArray  # K_g = X_g' A_g X_g, G1 x p x p (clusters with n_g > p)
    adjusted_gram_sq: FloatArray  # X_g' A_g^2 X_g, G1 x p x p
    small: tuple[_SmallClusters, ...] = ()  # clusters with n_g <= p, one entry per size


def cluster_covariance(
    se_type: str,
    X: FloatArray,
    resid: FloatArray,
    bread: FloatArray,
    r_inv: FloatArray,
    q: FloatArray,
    cluster: ArrayLike,
) -> Covariance:
    """CR1 (``G - 1`` df) or CR2 (Satterthwaite df, computed when asked) covariance.

    CR1 is ``G/(G-1) (n-1)/(n-p) M (sum_g X_g'e_g e_g'X_g) M`` (Liang & Zeger 1986 with Stata's
    factor); CR2 is ``M (sum_g X_g'A_g e_g e_g'A_g X_g) M`` with the adjustments of
    :func:`cr2_parts` (Bell & McCaffrey 2002).
    """
    n, p = X.shape
    codes, G = factor_codes(cluster, n, "cluster")
    if G < 2:
        raise ValueError("cluster-robust variance needs at least two clusters")
    scores = group_sums(codes, X * resid[:, None], G)  # X_g'e_g, G x p
    warnings = _few_clusters_warning(se_type, G)
    if se_type == "CR1":
        factor = (G / (G - 1)) * ((n - 1) / (n - p))
        cov = factor * bread @ (scores.T @ scores) @ bread
        return Covariance(cov, np.full(p, float(G - 1)), warnings, G)
    adj_scores, parts = cr2_parts(X, q, r_inv, bread, resid, codes, G, scores)
    cov = bread @ (adj_scores.T @ adj_scores) @ bread
    # The df are computed on first access to OLSFit.df; contrasts get their own.
    return Covariance(cov, None, warnings, G, parts)


def _few_clusters_warning(se_type: str, G: int) -> tuple[StatWarning, ...]:
    if G >= FEW_CLUSTERS:
        return ()
    advice = (
        "CR1 standard errors are biased downwards; prefer CR2 or the wild cluster bootstrap"
        if se_type == "CR1"
        else "small-sample correction (CR2, Bell-McCaffrey df) used; "
        "randomisation inference is advisable"
    )
    return (StatWarning("few_clusters", f"fewer than {FEW_CLUSTERS} clusters ({G}): {advice}"),)


def cr2_df(parts: CR2Parts, contrasts: FloatArray) -> FloatArray:
    """Satterthwaite df for each column ``c`` of ``contrasts`` (p x k); see OLSFit.contrast_df.

    ``Q'Q = D - B M B'`` is G x G, but only its trace and squared Frobenius norm are needed:
    ``tr = sum d_g - sum c_g`` and ``||.||^2 = sum d_g^2 - 2 sum d_g c_g + ||W W'||_F^2`` with
    ``W = B L`` (``M = L L'``) and ``c_g = ||w_g||^2``; ``||W W'||_F = ||W'W||_F`` is formed from
    whichever of ``G x G`` and ``p x p`` is smaller. Contrasts are processed in chunks so memory
    stays bounded whatever ``k``.
    """
    p, k = contrasts.shape
    chunk = max(1, _DF_CHUNK_FLOATS // max(1, parts.n_clusters * p))
    out = np.empty(k, dtype=np.float64)
    for start in range(0, k, chunk):
        out[start : start + chunk] = _cr2_df_chunk(parts, contrasts[:, start : start + chunk])
    return out


def _cr2_df_chunk(parts: CR2Parts, contrasts: FloatArray) -> FloatArray:
    """:func:`cr2_df` for one chunk: rows ``w_g = B_g L`` and ``d_g`` of every cluster.

    Large clusters: ``B_g = m' K_g`` and ``d_g = m' X_g'A_g^2X_g m`` (``m = M c``). Small
    clusters: with ``X_g m = Q_g L' c`` and ``a_g = A_g X_g m``, ``d_g = ||a_g||^2`` and
    ``w_g = a_g' X_g L = a_g' Q_g``. Everything is a batched matrix product (BLAS).
    """
    L = parts.r_inv
    m = parts.bread @ contrasts  # p x k
    w_blocks: list[FloatArray] = []
    d_blocks: list[FloatArray] = []
    if parts.adjusted_gram.shape[0]:
        km = np.matmul(parts.adjusted_gram, m)  # K_g m = B_g', G1 x p x k
        w_blocks.append(np.matmul(L.T, km).transpose(2, 0, 1))  # k x G1 x p
        d_blocks.append(np.einsum("gik,ik->kg", np.matmul(parts.adjusted_gram_sq, m), m))
    z = L.T @ contrasts  # p x k
    for sc in parts.small:
        a = np.matmul(sc.adjust, np.matmul(sc.q, z))  # A_g X_g m, Gs x s x k
        d_blocks.append(np.einsum("gsk,gsk->kg", a, a))
        w_blocks.append(np.matmul(a.transpose(0, 2, 1), sc.q).transpose(1, 0, 2))  # k x Gs x p
    w = np.concatenate(w_blocks, axis=1) if len(w_blocks) > 1 else w_blocks[0]
    d = np.concatenate(d_blocks, axis=1) if len(d_blocks) > 1 else d_blocks[0]
    c = np.einsum("kgi,kgi->kg", w, w)  # diagonal of B M B'
    if w.shape[1] <= w.shape[2]:
        gram = np.matmul(w, w.transpose(0, 2, 1))  # k x G x G
    else:
        gram = np.matmul(w.transpose(0, 2, 1), w)  # k x p x p
    frob_c = np.einsum("kij,kij->k", gram, gram)
    trace = d.sum(axis=1) - c.sum(axis=1)
    frob = (d**2).sum(axis=1) - 2.0 * (d * c).sum(axis=1) + frob_c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(trace**2 / frob, dtype=np.float64)


def cr2_parts(
    X: FloatArray,
    q: FloatArray,
    r_inv: FloatArray,
    bread: FloatArray,
    resid: FloatArray,
    codes: NDArray[np.intp],
    n_clusters: int,
    scores: FloatArray,
) -> tuple[FloatArray, CR2Parts]:
    """Adjusted scores ``X_g'A_g e_g`` (G x p) and what the df need, by the cheaper route.

    ``H_gg = Q_g Q_g'`` has rank at most ``min(n_g, p)``. For ``n_g > p`` (few, large clusters)
    the ``p x p`` route of :func:`_cr2_blocks` avoids ``n_g x n_g`` matrices. For ``n_g <= p``
    (e.g. unit panels with a dummy per unit, where ``p ~ G``) that route would cost ``O(G p^3)``
    time and ``O(G p^2)`` memory, so ``A_g = (I - H_gg)^{-1/2}`` is formed directly from the
    ``n_g x n_g`` eigenproblem of ``H_gg``, batched over clusters of equal size: ``O(n n_g p)``.
    Eigenvalues of ``I - H_gg`` below the tolerance (directions absorbed by cluster-level
    dummies) get a zero root, the Moore-Penrose convention of Bell & McCaffrey (2002) and
    Pustejovsky & Tipton (2018), as R ``clubSandwich``.
    """
    p = X.shape[1]
    sizes = np.bincount(codes, minlength=n_clusters)
    adj = np.empty((n_clusters, p), dtype=np.float64)
    large = np.flatnonzero(sizes > p)
    if large.size == n_clusters:
        grams = group_grams(codes, X, n_clusters)
        adj, K, K2 = _cr2_blocks(grams, scores, r_inv)
    elif large.size:
        remap = np.full(n_clusters, -1, dtype=np.intp)
        remap[large] = np.arange(large.size)
        sub = remap[codes]
        rows = sub >= 0
        grams = group_grams(sub[rows], X[rows], large.size)
        adj[large], K, K2 = _cr2_blocks(grams, scores[large], r_inv)
    else:
        K = K2 = np.empty((0, p, p), dtype=np.float64)
    small: list[_SmallClusters] = []
    if large.size < n_clusters:
        order = np.argsort(codes, kind="stable")
        starts = np.cumsum(sizes) - sizes
        for s in np.unique(sizes[sizes <= p]):
            members = np.flatnonzero(sizes == s)
            idx = order[starts[members][:, None] + np.arange(s)]  # Gs x s rows, by cluster
            qs = q[idx]
            d, v = np.linalg.eigh(np.matmul(qs, qs.transpose(0, 2, 1)))  # H_gg
            one_minus = 1.0 - np.clip(d, 0.0, 1.0)
            singular = one_minus < LEVERAGE_TOL
            root = np.where(singular, 0.0, 1.0 / np.sqrt(np.where(singular, 1.0, one_minus)))
            a = np.matmul(v * root[:, None, :], v.transpose(0, 2, 1))
            adjusted_resid = np.matmul(a, resid[idx][:, :, None])  # A_g e_g, Gs x s x 1
            adj[members] = np.matmul(X[idx].transpose(0, 2, 1), adjusted_resid)[:, :, 0]
            small.append(_SmallClusters(q=qs, adjust=a))
    parts = CR2Parts(
        bread=bread,
        r_inv=r_inv,
        n_clusters=n_clusters,
        adjusted_gram=K,
        adjusted_gram_sq=K2,
        small=tuple(small),
    )
    return adj, parts


def _cr2_blocks(
    grams: FloatArray, scores: FloatArray, r_inv: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Adjusted scores ``X_g'A_g e_g`` and blocks ``X_g'A_gX_g``, ``X_g'A_g^2X_g``.

    ``H_gg = X_g M X_g'`` with ``M = L L'`` (``L = R^{-1}``) has the same non-zero eigenvalues
    ``d`` as ``T_g = L' S_g L`` (``S_g = X_g'X_g``); with ``T_g = V diag(d) V'`` the
    eigenvectors of ``H_gg`` are ``U = X_g L V d^{-1/2}``. For ``f`` applied to ``I - H_gg``,
    ``X_g' f(I - H_gg) X_g = S_g + S_g L V diag((f(1-d) - 1)/d) V' L' S_g``. Products are
    batched matmuls: a three-operand einsum would loop in ``O(G p^4)``.
    """
    t = np.matmul(r_inv.T, np.matmul(grams, r_inv))
    d, v = np.linalg.eigh(t)
    d = np.clip(d, 0.0, 1.0)
    one_minus = 1.0 - d
    singular = one_minus < LEVERAGE_TOL
    safe = np.where(singular, 1.0, one_minus)
    inv_sqrt = np.where(singular, 0.0, 1.0 / np.sqrt(safe))  # Moore-Penrose
    inv = np.where(singular, 0.0, 1.0 / safe)
    small = d < 1e-14
    dd = np.where(small, 1.0, d)
    coef_a = np.where(small, 0.5, (inv_sqrt - 1.0) / dd)  # limit as d -> 0 is 1/2
    coef_a2 = np.where(small, 1.0, (inv - 1.0) / dd)  # limit as d -> 0 is 1
    w = np.matmul(r_inv, v)  # L V, G x p x p
    sw = np.matmul(grams, w)  # S_g L V
    swt = sw.transpose(0, 2, 1)
    k_a = grams + np.matmul(sw * coef_a[:, None, :], swt)
    k_a2 = grams + np.matmul(sw * coef_a2[:, None, :], swt)
    wr = np.matmul(scores[:, None, :], w)[:, 0, :]  # V'L' X_g'e_g
    adj = scores + np.matmul(sw, (coef_a * wr)[:, :, None])[:, :, 0]
    return adj, k_a, k_a2
