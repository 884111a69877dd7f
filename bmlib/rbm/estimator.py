"""The scikit-learn-style estimator :class:`RBM`: ``fit``, ``partial_fit``, ``transform``.

It holds the parameters and the training state (velocities, persistent chains, random
streams), checks the settings once per call, and runs each epoch with the update of
:mod:`bmlib.rbm.training` (through ``rbm._fused`` or ``rbm._blas``, chosen per shape) or with
parallel tempering (:mod:`bmlib.rbm.tempering`).
"""

import numbers

import numba
import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.exceptions import NotFittedError

from bmlib import _validate, rng
from bmlib.progress import Progress
from bmlib.rbm import _checks, _sklearn, bundles
from bmlib.rbm._blas import train_epoch_blas
from bmlib.rbm._fused import train_epoch_fused, train_epoch_threads
from bmlib.rbm.bundles import Chains, Offsets, Parameters, Velocities
from bmlib.rbm.evaluation import (
    log_likelihood,
    log_partition,
    pseudo_log_likelihood,
    pseudo_log_likelihood_rows,
    reconstruction_error,
)
from bmlib.rbm.model import (
    energy,
    free_energy,
    gibbs,
    hidden_probabilities,
    reconstruct,
    sample,
    sample_hidden,
    sample_visible,
    visible_probabilities,
)
from bmlib.rbm.tempering import train_epoch_tempered

_FUSED_LIMIT = 4_000_000  # batch_size * n_visible * n_hidden at or below which "auto" fuses


_SPARSE_LIMIT = 0.3  # ... and above it, the largest fraction of non-zero data for which it still fuses


_OFFSET_RATE = 0.01  # centred training: how fast the hidden offsets follow P(h | data)


_MAX_TEMPERATURES = 10_000  # n_temperatures: see the class docstring


_MONITOR_SHARE = 50  # monitor="auto" evaluates 1 row in 50: under 10 % of an epoch's time


_DIVERGED = 1e6  # a weight or bias beyond +-1e6 after an epoch: training diverged (see Raises)


class RBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Bernoulli restricted Boltzmann machine trained with CD-k, PCD-k or parallel tempering.

    A scikit-learn transformer (``fit``, ``partial_fit``, ``transform``, ``get_params``/``set_params``,
    ``get_feature_names_out``, ``set_output``) that passes scikit-learn's estimator checks, so it
    can be a step of a ``Pipeline`` and be tuned by ``GridSearchCV``. X is 2-D, with values in
    [0, 1]: rounding overshoots of a few ulps (as ``MinMaxScaler`` makes) are clipped in ``fit``,
    larger departures raise; ``transform``, ``score_samples`` and ``score`` clip any finite values
    to [0, 1] (a validation fold scaled with the training range falls a little outside it; see
    ``bmlib.rbm._sklearn``).
    ``transform`` of float32 data returns float32. X may be a scipy.sparse CSR or CSC matrix: it
    stays sparse, made dense a block of rows at a time, and trains to the same bits as dense X.

    Parameters
    ----------
    n_hidden : int
        Number of hidden units, >= 1.
    learning_rate : float
        Step size of the parameter updates (> 0).
    batch_size : int
        Rows per minibatch, >= 1 (also the number of persistent chains with PCD).
    n_epochs : int
        Passes over the data made by ``fit``, >= 0.
    k : int
        Gibbs steps per update: CD-k or PCD-k, >= 1.
    sampler : {"cd", "pcd", "pt"}
        Where the negative phase comes from. "cd" (default): CD-k, chains restart at the data for
        every minibatch (Hinton 2002). "pcd": PCD-k, ``batch_size`` chains continue from where the
        last update left them (Tieleman 2008). "pt": parallel tempering (Desjardins et al. 2010; Cho
        et al. 2010): ``batch_size`` persistent chains, each with ``n_temperatures`` replicas at
        inverse temperatures beta_t = 1 - t / (n_temperatures - 1) (from 1 down to 0, the uniform
        distribution); every update runs k block Gibbs steps in every replica, then proposes to swap
        the states of neighbouring replicas (even pairs and odd pairs in turn), accepted with
        probability min(1, exp((beta_t - beta_t+1)(E_t - E_t+1))). The beta = 1 replicas give the
        samples. Hot replicas cross between modes easily and pass their states down, so the model's
        samples do not get stuck in one mode as PCD's chains can when the weights grow.
    n_temperatures : int
        Replicas per chain with ``sampler="pt"``, from 2 to 10,000. A state moves one rung per
        accepted swap, in a random walk, so crossing a ladder of n rungs takes about n^2 updates:
        beyond 10,000 rungs (10^8 updates) no hot state would reach beta = 1 in any training run.
    momentum : float in [0, 1)
        velocity = momentum * velocity + learning_rate * gradient; parameters += velocity.
    weight_decay : float >= 0
        L2 penalty: ``weight_decay * W`` is subtracted from the weight gradient (not the biases).
    centered : bool
        Centred gradients (Montavon and Mueller 2012; Melchior, Fischer and Wiskott 2016). The
        weight gradient is taken for the centred units v - mu and h - lambda, with mu the mean of
        the data the model is initialised on (``visible_offset_``) and lambda a running mean of
        P(h | data) (``hidden_offset_``, moved by 1 % towards each minibatch's mean):
        dW = G - mu g_h^T - g_v lambda^T, db = g_v - dW lambda, dc = g_h - dW^T mu, where G, g_v
        and g_h are the plain CD/PCD gradients. The model is still an ordinary RBM (its energy,
        conditionals and samples use ``W_`` and the biases as usual): only the direction of each
        step changes. It keeps the weights from having to cancel the units' mean activity, which
        makes learning much better conditioned when units are on about half the time (Ising
        spins, say). With CD and PCD; not with ``sampler="pt"``.
    random_state : int, numpy.random.RandomState, numpy.random.Generator or None
        Seeds the initial weights, the minibatch order and every Gibbs sample: the same int
        gives the same weights in every run and process (the same streams as ``seed`` with that
        int in bmlib's functions). A RandomState gives an int seed drawn from it.
    verbose : bool, int >= 0 or "auto"
        Progress after each epoch: True or >= 1 always, False or 0 never. "auto" (default) shows
        it only when someone is watching (a terminal, or a Jupyter frontend that accepts input,
        so nbval and ``bmlib.figures`` stay silent) and never inside scikit-learn's model
        selection (GridSearchCV, cross_val_score), which fits many copies.
    monitor : "auto" or bool
        Fill ``history_`` after every epoch. "auto" (default): reconstruction error and
        pseudo-log-likelihood on a fixed sample of 1 row in ``_MONITOR_SHARE`` (= 50) of the data
        (at most 1000 rows), which costs under 10 % of an epoch. True: on up to 1000 fixed rows,
        and the exact log-likelihood too when it is cheap to define (see ``history_``); on small
        data sets this costs several epochs' time. False: nothing.
    shuffle : bool
        Visit the rows in a new random order every epoch (True) or in their given order.
    kernel : {"auto", "fused", "blas"}
        Implementation of an epoch; see the module docstring ("auto": fused for small shapes or
        sparse data, BLAS otherwise). Both give the same results.
    n_jobs : int or None
        Threads for the fused kernel's epochs (CD and PCD). None or 1 (default): one. n > 1: each
        minibatch is cut into n parts, run by up to n of Numba's threads (at most
        ``numba.get_num_threads()``); -1: as many parts as Numba has threads. The results are
        the same bit for bit for every value. The threads wait for each other by spinning, which
        wastes time when there are more busy threads than cores (two processes training at once
        on two cores, say), so it is off by default. Not used by ``kernel="blas"`` (BLAS has its
        own threads) or ``sampler="pt"``.

    The counts (n_hidden, batch_size, n_epochs, k) are integers up to 10**12 (larger ones could
    not finish in a day); the flags (centered, shuffle, and monitor besides "auto") are True or False.

    Attributes
    ----------
    W_ : ndarray of shape (n_visible, n_hidden)
        Weights W_ij between visible unit i and hidden unit j.
    visible_bias_ : ndarray of shape (n_visible,)
        Initialised to log(p_i / (1 - p_i)) with p_i the fraction of the data where unit i is on
        (clipped to [0.001, 0.999]), as Hinton's guide recommends.
    hidden_bias_ : ndarray of shape (n_hidden,)
        Initialised to 0.
    n_features_in_ : int
        n_visible, fixed by the first ``fit``/``partial_fit``.
    history_ : dict of lists
        Per epoch: "epoch", "reconstruction_error", "pseudo_log_likelihood" (on the fixed rows
        of the data given that ``monitor`` chooses) and, with ``monitor=True``, when
        min(n_visible, n_hidden) <= 16 and the data are binary
        (a likelihood is defined for 0/1 data only), "log_likelihood". A later ``partial_fit`` on
        grey levels removes "log_likelihood".
    visible_offset_, hidden_offset_ : ndarray of shape (n_visible,) and (n_hidden,)
        The offsets mu and lambda of ``centered=True`` (kept, but not used, otherwise).
    persistent_chains_ : ndarray of shape (batch_size, n_hidden)
        Hidden states of the PCD chains (zeros until trained with ``sampler="pcd"``).
    betas_ : ndarray of shape (n_temperatures,)
        With ``sampler="pt"``: the replicas' inverse temperatures, from 1 down to 0.
    swap_rates_ : ndarray of shape (n_temperatures - 1,)
        With ``sampler="pt"``: the fraction of proposed swaps between replicas t and t + 1 that
        were accepted so far (near 0 for a pair means the ladder has a gap there).

    Raises
    ------
    ValueError
        From ``fit``/``partial_fit`` when learning_rate * weight_decay >= 2 (1 + momentum): the
        weight decay alone then makes every weight flip sign and grow with each update (the
        momentum iteration on the penalty weight_decay |W|^2 / 2 is stable only below that bound).
    FloatingPointError
        From ``fit``/``partial_fit`` when training diverged: after an epoch a weight or bias is NaN,
        infinite or beyond +-1e6. A field of 40 already makes a unit's probability exactly 0 or 1
        in float64, so trained RBMs have parameters of order 1 to 10; one beyond 1e6 comes from
        unstable updates (a learning rate far too large) and grows into infinities within a few
        epochs. The model keeps the parameters it reached; ``fit`` with gentler settings restarts.

    References
    ----------
    Hinton (2002); Tieleman (2008); Hinton, *A Practical Guide to Training RBMs* (2010).
    G. Desjardins, A. Courville, Y. Bengio, P. Vincent and O. Delalleau, "Tempered Markov chain
    Monte Carlo for training of restricted Boltzmann machines", AISTATS 2010.
    K. Cho, T. Raiko and A. Ilin, "Parallel tempering is efficient for learning restricted
    Boltzmann machines", IJCNN 2010.
    """

    def __init__(
        self,
        n_hidden=64,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_epochs=10,
        k=1,
        sampler="cd",
        momentum=0.0,
        weight_decay=0.0,
        centered=False,
        random_state=None,
        verbose="auto",
        monitor="auto",
        shuffle=True,
        kernel="auto",
        n_temperatures=10,
        n_jobs=None,
    ):
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_epochs = n_epochs
        self.k = k
        self.sampler = sampler
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.centered = centered
        self.random_state = random_state
        self.verbose = verbose
        self.monitor = monitor
        self.shuffle = shuffle
        self.kernel = kernel
        self.n_temperatures = n_temperatures
        self.n_jobs = n_jobs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @property
    def _n_features_out(self):  # for get_feature_names_out: rbm0, rbm1, ...
        return self.W_.shape[1]

    # training ------------------------------------------------------------------------------

    def _check_settings(self):
        settings = {
            "n_hidden": _checks.positive_int("n_hidden", self.n_hidden),
            "learning_rate": _checks.positive_number("learning_rate", self.learning_rate),
            "batch_size": _checks.positive_int("batch_size", self.batch_size),
            "n_epochs": _checks.positive_int("n_epochs", self.n_epochs, minimum=0),
            "k": _checks.positive_int("k", self.k),
            "momentum": _checks.nonnegative("momentum", self.momentum, below_one=True),
            "weight_decay": _checks.nonnegative("weight_decay", self.weight_decay),
            "n_temperatures": _checks.positive_int(
                "n_temperatures",
                self.n_temperatures,
                minimum=2,
                maximum=_MAX_TEMPERATURES,
                why="crossing a ladder of n rungs takes about n^2 updates, so more rungs buy nothing",
            ),
        }
        if not isinstance(self.sampler, str) or self.sampler not in ("cd", "pcd", "pt"):
            raise ValueError(f"sampler must be 'cd', 'pcd' or 'pt', got {self.sampler!r}")
        sampler = settings["sampler"] = self.sampler
        if not isinstance(self.kernel, str) or self.kernel not in ("auto", "fused", "blas"):
            raise ValueError(f"kernel must be 'auto', 'fused' or 'blas', got {self.kernel!r}")
        for name in ("centered", "shuffle"):
            settings[name] = _validate.flag(name, getattr(self, name))
        auto = isinstance(self.monitor, str) and self.monitor == "auto"
        settings["monitor"] = "auto" if auto else _validate.flag("monitor", self.monitor)
        if settings["centered"] and sampler == "pt":
            raise ValueError("centered=True works with CD and PCD, not with sampler='pt'")
        decay = settings["learning_rate"] * settings["weight_decay"]
        if decay >= 2.0 * (1.0 + settings["momentum"]):
            raise ValueError(
                f"learning_rate * weight_decay = {decay:g} must be < 2 (1 + momentum) = "
                f"{2.0 * (1.0 + settings['momentum']):g}: beyond it the weight decay alone makes every "
                "weight flip sign and grow with each update; lower learning_rate or weight_decay"
            )
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
            raise TypeError(f"n_jobs must be None, a positive int or -1, got {self.n_jobs!r}")
        if n_jobs < 1 and n_jobs != -1:
            raise ValueError(f"n_jobs must be None, a positive int or -1, got {n_jobs}")
        settings["n_jobs"] = int(n_jobs)
        settings["verbose"] = _sklearn.show_progress(self.verbose)
        return settings

    def _initialize(self, X, settings):
        try:
            self._allocate(X, settings)
        except MemoryError as err:  # name the settings, not numpy's array shapes
            n_visible, n_hidden, batch_size = X.shape[1], settings["n_hidden"], settings["batch_size"]
            n_replicas = settings["n_temperatures"] if settings["sampler"] == "pt" else 0
            values = 3 * n_visible * n_hidden + batch_size * (
                n_hidden + 4 + n_replicas * (n_visible + n_hidden)
            )
            raise MemoryError(
                f"n_hidden = {n_hidden:_} (with {n_visible} visible units), batch_size = {batch_size:_}"
                + (f" and n_temperatures = {n_replicas:_}" if n_replicas else "")
                + f" need about {values * 8 / 2**30:.3g} GiB for the weights, chains and random streams, "
                "more than could be allocated: lower them"
            ) from err

    def _allocate(self, X, settings):
        generator = _sklearn.generator(self.random_state)
        n_visible, n_hidden = X.shape[1], settings["n_hidden"]
        self.W_ = generator.normal(0.0, 0.01, size=(n_visible, n_hidden))
        mean = _sklearn.column_mean(X)
        frequency = np.clip(mean, 0.001, 0.999)
        self.visible_bias_ = np.log(frequency / (1.0 - frequency))
        self.hidden_bias_ = np.zeros(n_hidden)
        self._velocity = (np.zeros_like(self.W_), np.zeros(n_visible), np.zeros(n_hidden))
        # offsets of the centred update: the data's mean, and P(h | v) of the initial model
        # (sigmoid(0) = 1/2 up to the weights' 1e-2 scale); read only with centered=True
        self.visible_offset_ = mean
        self.hidden_offset_ = np.full(n_hidden, 0.5)
        self.persistent_chains_ = np.zeros((settings["batch_size"], n_hidden))
        if settings["sampler"] == "pt":
            n_temperatures = settings["n_temperatures"]
            self.betas_ = np.linspace(1.0, 0.0, n_temperatures)
            self._replicas = (
                np.zeros((n_temperatures, settings["batch_size"], n_visible)),
                np.zeros((n_temperatures, settings["batch_size"], n_hidden)),
            )
            self._swaps = np.zeros(n_temperatures - 1, dtype=np.int64)
            self._attempts = np.zeros(n_temperatures - 1, dtype=np.int64)
            self._n_updates = 0
            self.swap_rates_ = np.zeros(n_temperatures - 1)
        else:
            for name in ("betas_", "swap_rates_", "_replicas", "_swaps", "_attempts", "_n_updates"):
                self.__dict__.pop(name, None)
        self._generator = generator
        self._states = rng.stream_states(generator, settings["batch_size"])
        self.history_ = {"epoch": [], "reconstruction_error": [], "pseudo_log_likelihood": []}
        if settings["monitor"] is True and min(n_visible, n_hidden) <= 16 and _sklearn.is_binary(X):
            self.history_["log_likelihood"] = []
        self.n_epochs_trained_ = 0

    def fit(self, X, y=None):
        """Initialise the parameters and train for ``n_epochs`` epochs on X.

        Parameters
        ----------
        X : array_like or sparse CSR/CSC matrix of shape (n_samples, n_visible), values in [0, 1]
        y : ignored (present for the Pipeline protocol)

        Returns
        -------
        self
        """
        settings = self._check_settings()
        X, _ = _sklearn.data(self, X, reset=True)
        self._initialize(X, settings)
        progress = Progress(settings["n_epochs"], "RBM epoch", settings["verbose"])
        for _ in range(settings["n_epochs"]):
            self._epoch(X, settings)
            history = self.history_["pseudo_log_likelihood"] if settings["monitor"] else []
            progress.update(f"pseudo-log-likelihood {history[-1]:.2f}" if history else "")
        progress.close()
        return self

    def partial_fit(self, X, y=None):
        """Train for one epoch on X (initialising the parameters on the first call).

        Parameters
        ----------
        X : array_like or sparse CSR/CSC matrix of shape (n_samples, n_visible), values in [0, 1]
        y : ignored

        Returns
        -------
        self
        """
        settings = self._check_settings()
        first = not hasattr(self, "W_")
        X, _ = _sklearn.data(self, X, reset=first)
        if first:
            self._initialize(X, settings)
        else:
            if self._states.shape[0] != settings["batch_size"]:
                raise ValueError("batch_size cannot change between partial_fit calls; call fit to restart")
            if (settings["sampler"] == "pt") != hasattr(self, "_replicas") or (
                hasattr(self, "_replicas") and len(self.betas_) != settings["n_temperatures"]
            ):
                raise ValueError("sampler and n_temperatures cannot change between partial_fit calls")
        self._epoch(X, settings)
        return self

    def _epoch(self, X, settings):
        n_samples = X.shape[0]
        if settings["shuffle"]:
            order = self._generator.permutation(n_samples).astype(np.int64)
        else:
            order = np.arange(n_samples, dtype=np.int64)
        # an update that overflows gives inf or NaN, which _check_diverged reports by name
        with np.errstate(over="ignore", invalid="ignore"):
            self._train(X, order, settings)
        self._check_diverged(settings)
        self.n_epochs_trained_ += 1
        if settings["monitor"] is True:
            rows = _sklearn.rows(X, np.linspace(0, n_samples - 1, min(n_samples, 1000)).astype(np.int64))
            params = (self.W_, self.visible_bias_, self.hidden_bias_)
            self.history_["epoch"].append(self.n_epochs_trained_)
            self.history_["reconstruction_error"].append(reconstruction_error(rows, *params))
            self.history_["pseudo_log_likelihood"].append(pseudo_log_likelihood(rows, *params))
            if "log_likelihood" in self.history_:
                if _checks.is_binary(rows):
                    self.history_["log_likelihood"].append(log_likelihood(rows, *params))
                else:  # grey levels have no likelihood: the record ends here
                    del self.history_["log_likelihood"]
        elif settings["monitor"] == "auto":
            n_rows = min(max(1, n_samples // _MONITOR_SHARE), 1000)
            rows = _sklearn.rows(X, np.linspace(0, n_samples - 1, n_rows).astype(np.int64))
            error, pll = _sampled_monitor(rows, self.W_, self.visible_bias_, self.hidden_bias_)
            self.history_["epoch"].append(self.n_epochs_trained_)
            self.history_["reconstruction_error"].append(error)
            self.history_["pseudo_log_likelihood"].append(pll)

    def _train(self, X, order, settings):
        batch_size, n_visible, n_hidden = settings["batch_size"], *self.W_.shape
        kernel = self.kernel
        if kernel == "auto":
            small = batch_size * n_visible * n_hidden <= _FUSED_LIMIT
            kernel = (
                "fused"
                if small or _sklearn.count_nonzero(X) <= _SPARSE_LIMIT * n_visible * X.shape[0]
                else "blas"
            )
        params = Parameters(self.W_, self.visible_bias_, self.hidden_bias_)
        velocities = Velocities(*self._velocity)
        epoch_settings = bundles.settings(
            settings["learning_rate"],
            settings["momentum"],
            settings["weight_decay"],
            settings["k"],
            settings["sampler"] == "pcd",
            batch_size,
            settings["centered"],
            _OFFSET_RATE,
        )
        offsets = Offsets(self.visible_offset_, self.hidden_offset_)
        WT = np.ascontiguousarray(self.W_.T) if kernel == "fused" else None
        # sparse X: dense blocks of whole minibatches in turn (dense X: one block, X itself)
        for part, part_order, ends_epoch in _sklearn.blocks(X, order, batch_size):
            bundled = (params, velocities, epoch_settings._replace(ends_epoch=ends_epoch), offsets)
            self._train_part(part, part_order, settings, kernel, WT, bundled)

    def _train_part(self, X, order, settings, kernel, WT, bundled):
        params, velocities, epoch_settings, offsets = bundled
        if settings["sampler"] == "pt":
            replicas = (*self._replicas, self._states)
            ladder = (self.betas_, self._swaps, self._attempts)
            self._n_updates = train_epoch_tempered(
                X, order, params, velocities, replicas, epoch_settings, ladder, self._n_updates
            )
            self.swap_rates_ = self._swaps / np.maximum(self._attempts, 1)
        else:
            negative = Chains(self.persistent_chains_, self._states)
            epoch = (X, order, params)
            if kernel == "fused":
                n_threads = numba.get_num_threads()
                n_parts = n_threads if settings["n_jobs"] == -1 else min(settings["n_jobs"], n_threads)
                if n_parts > 1:
                    train_epoch_threads(*epoch, WT, velocities, negative, epoch_settings, offsets, n_parts)
                else:
                    train_epoch_fused(*epoch, WT, velocities, negative, epoch_settings, offsets)
            else:
                train_epoch_blas(*epoch, velocities, negative, epoch_settings, offsets)

    def _check_diverged(self, settings):
        """Raise FloatingPointError when a weight or bias is NaN, infinite or beyond +-1e6 (see Raises)."""
        for name in ("W_", "visible_bias_", "hidden_bias_"):
            values = getattr(self, name)
            if values.max() <= _DIVERGED and values.min() >= -_DIVERGED:  # False for NaN
                continue
            worst = values[~(np.abs(values) <= _DIVERGED)][0]
            momentum, decay = settings["momentum"], settings["weight_decay"]
            raise FloatingPointError(
                f"training diverged in epoch {self.n_epochs_trained_ + 1}: {name} reached {worst:.3g} "
                f"(beyond +-{_DIVERGED:g}); lower learning_rate (now {settings['learning_rate']:g})"
                + (f", momentum (now {momentum:g})" if momentum else "")
                + (f", weight_decay (now {decay:g})" if decay else "")
                + ", and fit again"
            )

    # using a trained model ---------------------------------------------------------------------

    def _check_fitted(self):
        if not hasattr(self, "W_"):
            raise NotFittedError("this RBM is not fitted yet: call fit or partial_fit first")
        return self.W_, self.visible_bias_, self.hidden_bias_

    def _check_X(self, X):
        self._check_fitted()
        return _sklearn.data(self, X, reset=False, margin=_sklearn.MARGIN)

    def transform(self, X):
        """Hidden-unit probabilities P(h = 1 | v = X): the RBM's features of X.

        Parameters
        ----------
        X : array_like or sparse CSR/CSC matrix of shape (n_samples, n_visible)

        Returns
        -------
        ndarray of shape (n_samples, n_hidden), float32 for float32 X, float64 otherwise
        """
        X, dtype = self._check_X(X)
        blocks = [hidden_probabilities(part, self.W_, self.hidden_bias_) for part in _sklearn.row_blocks(X)]
        return np.concatenate(blocks).astype(dtype, copy=False)

    def energy(self, v, h):
        """E(v, h) = - v.b - h.c - v W h; see :func:`energy`."""
        return energy(v, h, *self._check_fitted())

    def free_energy(self, v):
        """F(v) = - v.b - sum_j softplus(c_j + (v W)_j); see :func:`free_energy`."""
        return free_energy(v, *self._check_fitted())

    def hidden_probabilities(self, v):
        """P(h = 1 | v); see :func:`hidden_probabilities`."""
        W, _, hidden_bias = self._check_fitted()
        return hidden_probabilities(v, W, hidden_bias)

    def visible_probabilities(self, h):
        """P(v = 1 | h); see :func:`visible_probabilities`."""
        W, visible_bias, _ = self._check_fitted()
        return visible_probabilities(h, W, visible_bias)

    def sample_hidden(self, v, seed=None):
        """h ~ P(h | v); see :func:`sample_hidden`."""
        W, _, hidden_bias = self._check_fitted()
        return sample_hidden(v, W, hidden_bias, seed=seed)

    def sample_visible(self, h, seed=None):
        """v ~ P(v | h); see :func:`sample_visible`."""
        W, visible_bias, _ = self._check_fitted()
        return sample_visible(h, W, visible_bias, seed=seed)

    def gibbs(self, v, k=1, seed=None):
        """k block Gibbs steps from each row of v; see :func:`gibbs`."""
        return gibbs(v, *self._check_fitted(), k=k, seed=seed)

    def reconstruct(self, v):
        """Mean-field reconstruction; see :func:`reconstruct`."""
        return reconstruct(v, *self._check_fitted())

    def sample(self, n_samples, n_steps=1000, seed=None, start=None):
        """Fantasy vectors from ``n_samples`` Gibbs chains of ``n_steps``; see :func:`sample`."""
        return sample(n_samples, *self._check_fitted(), n_steps=n_steps, seed=seed, start=start)

    def pseudo_log_likelihood(self, X):
        """Average pseudo-log-likelihood over every bit; see :func:`pseudo_log_likelihood`."""
        return pseudo_log_likelihood(X, *self._check_fitted())

    def score_samples(self, X):
        """Pseudo-log-likelihood of each row (deterministic, all bits).

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        X, _ = self._check_X(X)
        params = (self.W_, self.visible_bias_, self.hidden_bias_)
        return np.concatenate([pseudo_log_likelihood_rows(part, *params) for part in _sklearn.row_blocks(X)])

    def score(self, X, y=None):
        """Average pseudo-log-likelihood of X (higher is better)."""
        return float(np.mean(self.score_samples(X)))

    def reconstruction_error(self, X):
        """Average squared reconstruction error; see :func:`reconstruction_error`."""
        return reconstruction_error(X, *self._check_fitted())

    def log_partition(self):
        """Exact log Z (small RBMs); see :func:`log_partition`."""
        return log_partition(*self._check_fitted())

    def log_likelihood(self, X):
        """Exact average log p(x) (small RBMs); see :func:`log_likelihood`."""
        return log_likelihood(X, *self._check_fitted())


def _sampled_monitor(rows, W, visible_bias, hidden_bias):
    """What ``monitor="auto"`` records: the reconstruction error of ``rows`` and their
    pseudo-log-likelihood estimated from one bit per row (bit r mod n_visible of row r, the same
    every epoch), n_visible log sigmoid(F(v~) - F(v)), as scikit-learn's ``score_samples`` does
    with a random bit: two free energies per row instead of n_visible + 1."""
    n_rows, n_visible = rows.shape
    field = rows @ W + hidden_bias
    reconstruction = expit(expit(field) @ W.T + visible_bias)
    error = float(np.mean(np.sum((rows - reconstruction) ** 2, axis=1)))
    flipped, which = rows.copy(), (np.arange(n_rows), np.arange(n_rows) % n_visible)
    flipped[which] = 1.0 - flipped[which]
    free = -rows @ visible_bias - np.logaddexp(0.0, field).sum(axis=1)
    free_flipped = -flipped @ visible_bias - np.logaddexp(0.0, flipped @ W + hidden_bias).sum(axis=1)
    return error, float(n_visible * np.mean(-np.logaddexp(0.0, free - free_flipped)))
