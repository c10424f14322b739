"""Label matching and the semi-supervised experiment (mixgrad.mixture.evaluation)."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mixgrad.mixture import e_step, m_step, precisions_cholesky_from_covariances, sample_mixture
from mixgrad.mixture.evaluation import (
    LabelCurve,
    accuracy_vs_labels,
    align_labels,
    fit_semi_supervised,
    label_mapping,
    match_labels,
    matched_accuracy,
    partial_labels,
)

labels_strategy = st.integers(1, 4).flatmap(
    lambda k: st.lists(st.integers(0, k - 1), min_size=1, max_size=30))


def _brute_force_accuracy(y_true, y_pred):
    """Independent reference: try every injective relabelling of the components."""
    size = max(max(y_true), max(y_pred)) + 1
    best = 0.0
    for perm in itertools.permutations(range(size)):
        best = max(best, np.mean(np.array(perm)[y_pred] == y_true))
    return best


@given(labels_strategy, st.randoms(use_true_random=False))
def test_matched_accuracy_equals_brute_force(y_true, random):
    y_true = np.array(y_true)
    y_pred = np.array([random.randrange(3) for _ in y_true])
    assert matched_accuracy(y_true, y_pred) == pytest.approx(_brute_force_accuracy(y_true, y_pred))


@given(labels_strategy, st.permutations(range(4)))
def test_a_permutation_of_the_labels_is_undone(y_true, perm):
    y_true = np.array(y_true)
    y_pred = np.array(perm)[y_true]
    mapping = match_labels(y_true, y_pred)
    assert np.array_equal(mapping[y_pred], y_true)
    assert matched_accuracy(y_true, y_pred) == 1.0


def test_mapping_is_injective_and_covers_unused_components():
    mapping = match_labels([0, 0, 1, 1], [2, 2, 0, 0], n_components=4)
    assert mapping.shape == (4,) and len(set(mapping)) == 4
    assert mapping[2] == 0 and mapping[0] == 1


@pytest.mark.parametrize("y_true, y_pred, kwargs, match", [
    ([0, 1], [0], {}, r"y_pred must be a 1-D array with one entry per sample \(2\)"),
    ([[0, 1]], [0, 1], {}, "y_true must be a 1-D"),
    ([0, 1.5], [0, 1], {}, "y_true must hold integer labels"),
    ([0, -1], [0, 1], {}, "y_true must hold labels >= 0"),
    ([], [], {}, "at least one sample"),
    ([0, 1], [0, 3], {"n_components": 2}, "increase n_components"),
])
def test_match_labels_rejects_bad_input(y_true, y_pred, kwargs, match):
    with pytest.raises(ValueError, match=match):
        match_labels(y_true, y_pred, **kwargs)


def test_partial_labels_keeps_n_per_class(rng):
    y = rng.integers(0, 3, size=90)
    partial = partial_labels(y, 4, rng=rng)
    kept = partial >= 0
    assert np.array_equal(np.bincount(partial[kept]), [4, 4, 4])
    assert np.array_equal(partial[kept], y[kept]) and np.all(partial[~kept] == -1)


def test_partial_labels_rejects_too_many_labels():
    with pytest.raises(ValueError, match="exceeds the size of the smallest class"):
        partial_labels([0, 0, 1], 2, rng=0)
    with pytest.raises(ValueError, match="n_per_class must be >= 1"):
        partial_labels([0, 1], 0, rng=0)
    with pytest.raises(TypeError, match="rng must be"):
        partial_labels([0, 1], 1, rng=None)


def _two_blobs(n, rng, distance=4.0):
    means = np.array([[0.0, 0.0], [distance, 1.0]])
    covs = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.6, -0.2], [-0.2, 1.2]]])
    return sample_mixture(n, np.array([0.4, 0.6]), means, covs, rng=rng)


def test_semi_supervised_fit_is_a_fixed_point_of_pinned_em(rng):
    X, y = _two_blobs(200, rng)
    partial = partial_labels(y, 5, rng=rng)
    fit = fit_semi_supervised(X, partial, n_components=2, rng=rng)
    # Independent check with the functional E/M steps: one more pinned EM step moves little.
    prec = precisions_cholesky_from_covariances(fit.covariances_, "full")
    resp, _ = e_step(X, fit.weights_, fit.means_, prec, "full", labels=partial)
    assert np.all(resp[partial >= 0].max(axis=1) == 1.0)
    weights, means, _ = m_step(X, resp, "full")
    assert np.allclose(means, fit.means_, atol=0.05) and np.allclose(weights, fit.weights_,
                                                                     atol=0.01)
    # labelled classes keep their numbers: component k is class k
    assert np.mean(fit.predict(X) == y) > 0.95


def test_semi_supervised_fit_needs_every_class_labelled(rng):
    X, y = _two_blobs(50, rng)
    partial = np.where(y == 0, 0, -1)
    with pytest.raises(ValueError, match="at least one sample of each of the 2 classes"):
        fit_semi_supervised(X, partial, n_components=2, rng=0)


def test_accuracy_vs_labels_on_separated_blobs(rng):
    # Blobs 20 standard deviations apart: every method classifies perfectly
    # once matched, so the expected accuracy is exactly 1.
    X, y = _two_blobs(120, rng, distance=20.0)
    X_test, y_test = _two_blobs(200, rng, distance=20.0)
    curve = accuracy_vs_labels(X, y, X_test, y_test, [3, 5], rng=rng, n_replicates=2)
    assert isinstance(curve, LabelCurve)
    assert set(curve.accuracies) == {"supervised", "semi-supervised", "unsupervised"}
    for acc in curve.accuracies.values():
        assert acc.shape == (2, 2) and np.all(acc == 1.0)
    assert np.all(curve.oracle_unsupervised == 1.0)
    assert np.all(curve.mean()["supervised"] == 1.0)


def test_accuracy_vs_labels_overlapping_blobs_stay_in_range(rng):
    X, y = _two_blobs(150, rng, distance=2.0)
    X_test, y_test = _two_blobs(300, rng, distance=2.0)
    curve = accuracy_vs_labels(X, y, X_test, y_test, [3, 30], rng=rng, n_replicates=2)
    for acc in curve.accuracies.values():
        assert np.all((acc >= 0) & (acc <= 1))
    # with 30 labels per class the supervised fit is better than chance
    assert np.all(curve.accuracies["supervised"][:, 1] > 0.6)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_per_class": []}, ValueError, "at least one number of labels"),
    ({"n_per_class": [0]}, ValueError, "n_per_class must be >= 1"),
    ({"n_replicates": 0}, ValueError, "n_replicates must be >= 1"),
    ({"X_test": np.zeros((3, 3))}, ValueError, "X_test must have 2 features"),
    ({"y_test": [0, 1]}, ValueError, "y_test must be a 1-D array with one entry per sample"),
])
def test_accuracy_vs_labels_rejects_bad_input(rng, kwargs, error, match):
    X, y = _two_blobs(20, rng)
    args = {"X": X, "y": y, "X_test": X, "y_test": y, "n_per_class": [1], "rng": 0}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        accuracy_vs_labels(**args)


# --- label matching ------------------------------------------------------------------------


@given(st.lists(st.integers(0, 2), min_size=1, max_size=40), st.permutations([0, 1, 2]),
       st.lists(st.integers(0, 39), max_size=8))
def test_align_labels_undoes_a_permutation_and_beats_all_others(reference, perm, flips):
    reference = np.array(reference)
    labels = np.array(perm)[reference]
    for i in flips:  # a few disagreements
        if i < labels.size:
            labels[i] = (labels[i] + 1) % 3
    aligned = align_labels(labels, reference)
    best = max(np.sum(np.array(p)[labels] == reference)
               for p in itertools.permutations(range(3)))
    assert np.sum(aligned == reference) == best
    if not flips:
        assert np.array_equal(aligned, reference)


def test_label_mapping_is_a_permutation_and_renames_responsibility_columns(rng):
    z = rng.integers(0, 3, size=50)
    labels = np.array([2, 0, 1])[z]
    mapping = label_mapping(labels, z)
    assert sorted(mapping) == [0, 1, 2]
    R = np.eye(3)[labels]
    R_new = np.empty_like(R)
    R_new[:, mapping] = R
    assert np.array_equal(R_new.argmax(axis=1), z)


@pytest.mark.parametrize(
    ("labels", "reference", "error", "match"),
    [
        ([0.5, 1.0], [0, 1], ValueError, "labels must hold integer labels"),
        ([0, 1], [0, -1], ValueError, "reference must hold labels >= 0"),
        ([0, 1, 1], [0, 1], ValueError, "same length"),
    ],
)
def test_align_labels_rejects_bad_input(labels, reference, error, match):
    with pytest.raises(error, match=match):
        align_labels(np.array(labels), np.array(reference))
