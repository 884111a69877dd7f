"""RBM as a scikit-learn estimator (issue 18): scikit-learn's own estimator checks, pipelines with
MinMaxScaler, feature names and set_output, random_state, verbose, and scikit-learn's errors."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from bmlib import datasets, progress, rbm
from bmlib.rbm import _sklearn

# Checks that fit on data far outside [0, 1] (standard normal draws, 3 * uniform, values near 100),
# which an RBM's units cannot hold: it refuses them with a ValueError, as documented.
_FAR_OUTSIDE = "feeds data far outside [0, 1] (normal or uniform draws up to 3 or 100); RBM refuses it"
_RANGE_CHECKS = [
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_readonly_memmap_input",
    "check_pipeline_consistency",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_fit_idempotent",
    "check_fit_check_is_fitted",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_fit2d_predict1d",
    "check_positive_only_tag_during_fit",
]

_TINY = {"n_hidden": 3, "n_epochs": 2, "batch_size": 5, "random_state": 0}
CONFIGURATIONS = [
    rbm.RBM(**_TINY),
    rbm.RBM(**_TINY, sampler="pcd"),
    rbm.RBM(**_TINY, sampler="pt", n_temperatures=3),
    rbm.RBM(**_TINY, centered=True),
    rbm.RBM(**_TINY, kernel="blas"),
    rbm.RBM(**_TINY, n_jobs=2),
]


def _range_checks(estimator):
    return dict.fromkeys(_RANGE_CHECKS, _FAR_OUTSIDE)


@parametrize_with_checks(CONFIGURATIONS, expected_failed_checks=_range_checks, xfail_strict=True)
def test_scikit_learn_estimator_checks(estimator, check):
    refused = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            check(estimator)
        except Exception as error:
            # an expected failure must be the range refusal, directly or as the cause of the
            # check's own error
            cause = error
            while cause is not None and not refused:
                refused = isinstance(cause, ValueError) and "X must hold values in [0, 1]" in str(cause)
                cause = cause.__cause__ or cause.__context__
            if not refused:
                raise
    if refused:  # outside the except clause: pytest need not format sklearn's deep traceback
        pytest.xfail(_FAR_OUTSIDE)


def _tiny_model(**settings):
    return rbm.RBM(**{"n_hidden": 4, "n_epochs": 2, "random_state": 0, "monitor": False, **settings})


def test_min_max_scaler_overshoots_are_clipped_and_cross_validation_works():
    overshoots = 0
    for seed in range(20):
        X = np.random.default_rng(seed).normal(size=(100, 8))
        scaled = MinMaxScaler().fit_transform(X)
        overshoots += bool(scaled.max() > 1.0 or scaled.min() < 0.0)
        pipeline = make_pipeline(MinMaxScaler(), _tiny_model()).fit(X)
        clipped = _tiny_model().fit(np.clip(scaled, 0.0, 1.0))
        np.testing.assert_array_equal(pipeline[-1].W_, clipped.W_)  # clipping is all that happens
        assert np.all(np.isfinite(cross_val_score(make_pipeline(MinMaxScaler(), _tiny_model()), X, cv=3)))
    assert overshoots  # the case of issue 18 occurred in these matrices
    X, y = datasets.digits()
    scores = cross_val_score(make_pipeline(MinMaxScaler(), _tiny_model()), X[:300], cv=3)
    assert np.all(np.isfinite(scores))


def test_range_errors_show_the_offending_values_and_transform_clips():
    X = np.full((4, 3), 0.5)
    with pytest.raises(ValueError, match=r"from 0\.5 to 1\.0001.*MinMaxScaler\(clip=True\)"):
        _tiny_model().fit(np.vstack([X, [0.5, 0.5, 1.0001]]))
    model = _tiny_model().fit(X)
    near = np.array([[-0.09, 1.06, 0.5]])
    np.testing.assert_array_equal(model.transform(near), model.transform(np.clip(near, 0, 1)))
    np.testing.assert_array_equal(model.score_samples(near), model.score_samples(np.clip(near, 0, 1)))
    far = np.array([[-3.0, 255.0, 0.5]])  # a pixel constant in a training fold scales to anything
    np.testing.assert_array_equal(model.transform(far), model.transform(np.clip(far, 0, 1)))


def test_feature_names_and_set_output():
    X = (np.random.default_rng(0).random((30, 5)) < 0.5).astype(float)
    pipeline = make_pipeline(MinMaxScaler(), _tiny_model()).fit(X)
    assert list(pipeline.get_feature_names_out()) == ["rbm0", "rbm1", "rbm2", "rbm3"]
    pipeline.set_output(transform="default")
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(5)])
    pipeline.set_output(transform="pandas").fit(frame)
    out = pipeline.transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["rbm0", "rbm1", "rbm2", "rbm3"]
    assert list(pipeline[-1].feature_names_in_) == list(frame.columns)  # the scaler passes them on


def test_random_state_is_the_seed_and_accepts_scikit_learns_kinds():
    X = (np.random.default_rng(1).random((40, 6)) < 0.5).astype(float)
    by_int = _tiny_model(random_state=7).fit(X)
    generators = [_tiny_model(random_state=np.random.default_rng(7)).fit(X) for _ in range(2)]
    np.testing.assert_array_equal(generators[0].W_, generators[1].W_)
    first = _tiny_model(random_state=np.random.RandomState(3)).fit(X)
    second = _tiny_model(random_state=np.random.RandomState(3)).fit(X)
    np.testing.assert_array_equal(first.W_, second.W_)
    assert "random_state" in by_int.get_params() and "seed" not in by_int.get_params()


def test_verbose_takes_ints_and_is_quiet_inside_model_selection(capsys, monkeypatch):
    X = (np.random.default_rng(2).random((30, 4)) < 0.5).astype(float)
    _tiny_model(verbose=1).fit(X)
    assert "RBM epoch 2/2" in capsys.readouterr().err
    _tiny_model(verbose=0).fit(X)
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "interactive", lambda: True)  # as if in a terminal
    _tiny_model().fit(X)
    assert "RBM epoch" in capsys.readouterr().err
    cross_val_score(_tiny_model(), X, cv=2)
    assert capsys.readouterr().err == ""
    cross_val_score(_tiny_model(verbose=True), X, cv=2)
    assert "RBM epoch" in capsys.readouterr().err


def test_scikit_learn_conventions_for_errors_and_dtypes():
    X = (np.random.default_rng(4).random((20, 5)) < 0.5).astype(np.float32)
    with pytest.raises(NotFittedError):
        _tiny_model().transform(X)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        _tiny_model().fit(X[0])
    model = _tiny_model().fit(X)
    assert model.transform(X).dtype == np.float32
    assert model.transform(X.astype(np.float64)).dtype == np.float64
    np.testing.assert_array_equal(
        model.transform(X), model.transform(X.astype(np.float64)).astype(np.float32)
    )
    np.testing.assert_array_equal(model.W_, _tiny_model().fit(X.astype(np.float64)).W_)
    with pytest.raises(ValueError, match="Complex data not supported"):
        _tiny_model().fit(X + 0j)
    with pytest.raises(ValueError, match="X has 4 features, but RBM is expecting 5 features"):
        model.transform(X[:, :4])


@pytest.mark.parametrize(
    "settings",
    [{}, {"sampler": "pcd"}, {"sampler": "pt", "n_temperatures": 3}, {"centered": True}, {"kernel": "blas"}],
)
def test_sparse_input_gives_the_weights_of_the_dense_equivalent(settings, monkeypatch):
    import scipy.sparse

    generator = np.random.default_rng(5)
    X = (generator.random((53, 12)) < 0.2) * generator.random((53, 12))
    X[:, 3] = 1.0
    dense = _tiny_model(batch_size=4, monitor=True, **settings).fit(X).partial_fit(X)
    names = ("W_", "visible_bias_", "hidden_bias_", "visible_offset_", "hidden_offset_")
    for kind in (scipy.sparse.csr_matrix, scipy.sparse.csc_array):
        sparse = _tiny_model(batch_size=4, monitor=True, **settings).fit(kind(X)).partial_fit(kind(X))
        for name in names:  # one dense block per epoch: the same bits
            np.testing.assert_array_equal(getattr(sparse, name), getattr(dense, name))
        assert sparse.history_ == dense.history_
        np.testing.assert_array_equal(sparse.transform(kind(X)), dense.transform(X))
        np.testing.assert_array_equal(sparse.score_samples(kind(X)), dense.score_samples(X))
    monkeypatch.setattr(_sklearn, "BLOCK_VALUES", 60)  # several dense blocks per epoch
    blocked = _tiny_model(batch_size=4, monitor=True, **settings).fit(scipy.sparse.csr_matrix(X))
    blocked.partial_fit(scipy.sparse.csr_matrix(X))
    for name in names:  # several blocks per epoch: still the same bits
        np.testing.assert_array_equal(getattr(blocked, name), getattr(dense, name))
    np.testing.assert_array_equal(blocked._velocity[0], dense._velocity[0])
    assert blocked.history_ == dense.history_
    with pytest.raises(ValueError, match="found values from 0.0 to 2.0"):
        _tiny_model().fit(scipy.sparse.csr_matrix(2 * X))
