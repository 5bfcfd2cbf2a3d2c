"""The game's generative peers: CTGAN and TVAE as oversamplers.

CTGAN (a conditional Wasserstein GAN with mode-specific normalisation and
training-by-sampling) and TVAE (a variational autoencoder on the same
encoding), both from the `ctgan` package of the SDV team (Xu et al. 2019),
are the most used generators of tabular rows; TabDDPM (Kotelnikov et al.
2023) and others find that as oversamplers they rarely beat SMOTE. Here
they oversample exactly as SMOTE does in `"SMOTE+Q"` / `"SMOTE+HGB"`:

- `"CTGAN+HGB"`, `"TVAE+HGB"`: the real fitting rows plus generated rows of
  every class but the largest, up to the largest class's count (full
  balance), then `"HGB"` (`class_weight="balanced"`, early stopping on the
  validation rows): `OversampledHGBMethod`, as `"SMOTE+HGB"`;
- `"CTGAN+Q"`, `"TVAE+Q"`: the same rows, then Q with cross-entropy:
  `ResampledMethod`, as `"SMOTE+Q"`;
- `"TVAE-C+HGB"`, `"TVAE-C+Q"`: one TVAE per class to grow, fitted on
  that class's rows (at least 2), its rows labelled by that class. One
  TVAE on all rows seldom writes a minority label (after 300 epochs, under
  1% of its rows on car-good for a 4% class, none on cleveland-0_vs_4 or
  flare-F), so `"TVAE+HGB"`'s rejection is NA on most tables of the
  development suite; the per-class models are how an unconditional
  generator is used as an oversampler.

How the generators are fitted (fixed before any run):

- The rows arrive in model space (standardised numbers, one one-hot block
  per nominal column: the option `nominal_blocks`). The generators get the
  table they were designed for: each block back as one integer category
  column declared in `discrete_columns` (the argmax of the block), the
  numbers as continuous columns, and the class label as one more discrete
  column. Generated rows are re-encoded into the same model space (the
  numbers in place, each category as the one-hot of its block), so every
  nominal cell of a generated row holds exactly one category.
- CTGAN and TVAE: one model on all fitting rows (every class: a minority
  class of a few rows alone is too small to fit a GAN on), as the papers
  use them.
- CTGAN draws each needed class by its conditional vector
  (`sample(n, condition_column="label", condition_value=c)`), the use its
  training-by-sampling is built for, and the rows drawn for class `c` are
  labelled `c`, as the game's class-conditional generator labels its rows
  by the class it was asked for. The condition is a soft one: on the
  small tables of the development suite, after the default 300 epochs,
  only a few of the rows drawn for a minority class also carried that
  label in their generated label column (cleveland-0_vs_4: about 10%), so
  keeping only matching rows (SDV's reject sampling, 20 chunks) left
  three of the four small tables tried NA;
  `condition_match_` records the share. TVAE has no conditional
  sampling: rows are drawn unconditioned in chunks and each kept for its
  generated label (rejection) until each class's count is met; after
  `MAX_DRAWS` chunks a class still short makes the method not applicable
  (`MethodNotApplicable`, NA in `compare`, with the rows missing).
- Settings: the package's defaults (300 epochs, batch 500, CTGAN's `pac`
  10, its learning rates, TVAE's loss factor 2), none tuned. A table
  smaller than the batch needs no change: CTGAN draws each batch with
  replacement (one step per epoch below 500 rows; 500 is a multiple of
  `pac`) and TVAE's last batch is simply smaller. The options
  `peer_epochs` (default 300) and `peer_max_steps` (default none: at most
  this many optimizer steps, fewer epochs on a large table) change them
  for tests and for runs that cannot afford the defaults; a run that
  leaves them out keeps cache keys without them. `epochs_` records the
  epochs used.
- Seeds: the method's seed goes to the generator's random state
  (`set_random_state`: numpy and torch generators used for fitting and
  sampling) and to `torch.manual_seed`. With a seed, two fits of the same
  rows give the same rows (tests/test_peers.py checks it).
- One CPU thread while fitting and sampling (`torch.set_num_threads(1)`
  and joblib sequential: rdt would otherwise
  transform columns in parallel processes), restored after, so that
  `compare`'s workers do not oversubscribe cores; CPU only (set
  `OMP_NUM_THREADS=1` for the BLAS of rdt's mixture models).
- `sampler_seconds_`: the generator's fit plus the draws, in seconds (the
  oversampler's whole cost; HGB's or Q's fit comes on top);
  `fit_seconds_`: the fit alone.

`ctgan` needs `rdt`, which requires pandas < 3: it is the optional extra
`peers` (`pip install "aos-keras[peers]"`, in an environment with pandas
2.x; `make test-peers`). It is imported only when a peer is fitted.

References:
    Xu, Skoularidou, Cuesta-Infante and Veeramachaneni, "Modeling Tabular
    Data using Conditional GAN", NeurIPS 2019.
    Kotelnikov, Baranchuk, Rubachev and Babenko, "TabDDPM: Modelling
    Tabular Data with Diffusion Models", ICML 2023.
"""

import contextlib
import functools
import time
import warnings

import numpy as np
import pandas as pd

from aos_keras.baselines.base import MethodNotApplicable
from aos_keras.baselines.registry import register_method
from aos_keras.baselines.resampling import (
    ResampledMethod,
    from_ordinal,
    to_ordinal,
)
from aos_keras.baselines.trees import OversampledHGBMethod

# The package's default number of epochs of both generators.
PEER_EPOCHS = 300
# Chunks drawn before a class still short is declared not applicable.
MAX_DRAWS = 20
# Rows per TVAE chunk: at least, and at most.
MIN_CHUNK, MAX_CHUNK = 1000, 50_000
LABEL = "label"
INSTALL_HINT = 'pip install "aos-keras[peers]"'


def import_ctgan():
    """The `ctgan` package; ImportError naming the extra if absent."""
    try:
        import ctgan
    except ImportError as err:
        raise ImportError(
            "CTGAN and TVAE need the `ctgan` package (it requires pandas "
            f"< 3): {INSTALL_HINT}, in an environment with pandas 2.x."
        ) from err
    return ctgan


class PeerMethod(ResampledMethod):
    """Q on real rows plus a `ctgan` generator's rows (full balance).

    Subclasses set `name`, `sampler_name_`, `_generator`, `_steps` and
    `_new_rows`.

    Args:
        See `Method`. Options `nominal_blocks` (list of `(start, stop)`),
        `peer_epochs` (int, the generator's epochs; default 300) and
        `peer_max_steps` (int or None: at most this many optimizer steps,
        the epochs lowered to fit; default None, no cap).

    Raises:
        ImportError: `ctgan` is not installed (from `fit`).
    """

    OPTIONS = ("peer_epochs", "peer_max_steps")
    sampler_name_ = None
    BATCH = 500  # the package's default batch of both generators

    def _resample(self, x, y):
        ctgan = import_ctgan()
        blocks = [tuple(b) for b in self.options.get("nominal_blocks") or ()]
        self._counts = counts = self._class_counts(y)
        need = {c: int(counts.max() - n) for c, n in enumerate(counts)}
        need = {c: n for c, n in need.items() if n > 0}
        self.sampler_seconds_ = self.fit_seconds_ = 0.0
        self.resampled_counts_ = counts
        if not need:  # already balanced: nothing to generate
            return np.asarray(x, dtype=np.float32), y
        frame, discrete = to_frame(x, y, blocks)
        start = time.perf_counter()
        with one_thread(), _quiet():
            model = self._fitted(ctgan, frame, discrete, need)
            self.fit_seconds_ = time.perf_counter() - start
            new = self._new_rows(model, need)
        self.sampler_seconds_ = time.perf_counter() - start
        x_new, y_new = from_frame(new, blocks, x.shape[1])
        x_res = np.concatenate([x, x_new]).astype(np.float32)
        y_res = np.concatenate([y, y_new])
        self.resampled_counts_ = np.bincount(y_res, minlength=self.num_classes)
        return x_res, y_res

    def _epochs(self, num_rows):
        """`peer_epochs`, lowered to fit `peer_max_steps` if given."""
        epochs = int(self.options.get("peer_epochs", PEER_EPOCHS))
        cap = self.options.get("peer_max_steps")
        if cap is not None:
            epochs = min(epochs, max(1, int(cap) // self._steps(num_rows)))
        return epochs

    def _fitted(self, ctgan, frame, discrete, need):
        """The generator fitted on every row of `frame`."""
        self.epochs_ = self._epochs(len(frame))
        self.generator_ = self._fit_one(ctgan, frame, discrete, self.epochs_)
        return self.generator_

    def _fit_one(self, ctgan, frame, discrete, epochs):
        """A generator, seeded, fitted on `frame` for `epochs`."""
        model = self._generator(ctgan, epochs)
        if self.seed is not None:
            import torch

            torch.manual_seed(self.seed)
            model.set_random_state(int(self.seed))
        try:
            model.fit(frame, discrete_columns=discrete)
        except (ValueError, RuntimeError) as err:
            raise MethodNotApplicable(
                f"{self.name}: the generator's fit failed: {err}"
            ) from err
        return model

    def _generator(self, ctgan, epochs):
        raise NotImplementedError

    def _steps(self, num_rows):
        """Optimizer steps per epoch on `num_rows` rows."""
        raise NotImplementedError

    def _new_rows(self, model, need):
        """A DataFrame of exactly `need[c]` rows of each class `c`."""
        raise NotImplementedError


class CTGANMethod(PeerMethod):
    """CTGAN+Q: CTGAN's rows of each class, drawn by class condition.

    The rows drawn for class `c` are labelled `c`; `condition_match_` is
    the share of them whose generated label column also says `c`.
    """

    name = "CTGAN+Q"
    sampler_name_ = "CTGAN"

    def _generator(self, ctgan, epochs):
        return ctgan.CTGAN(epochs=epochs, enable_gpu=False)

    def _steps(self, num_rows):
        return max(num_rows // self.BATCH, 1)  # CTGAN's loop

    def _new_rows(self, model, need):
        parts, matched = [], 0
        for c, n in need.items():
            rows = model.sample(n, condition_column=LABEL, condition_value=c)
            matched += int((rows[LABEL].to_numpy() == c).sum())
            parts.append(rows.assign(**{LABEL: np.int64(c)}))
        self.condition_match_ = matched / max(sum(need.values()), 1)
        return pd.concat(parts, ignore_index=True)


class TVAEMethod(PeerMethod):
    """TVAE+Q: TVAE's rows, kept for their generated class (rejection)."""

    name = "TVAE+Q"
    sampler_name_ = "TVAE"

    def _generator(self, ctgan, epochs):
        return ctgan.TVAE(epochs=epochs, enable_gpu=False)

    def _steps(self, num_rows):
        return -(-num_rows // self.BATCH)  # its DataLoader keeps the last

    def _new_rows(self, model, need):
        self._seen = np.zeros(self.num_classes, dtype=np.int64)
        return draw_rows(lambda t: self._chunk(model, t), need, self.name)

    def _chunk(self, model, todo):
        """Unconditioned rows, enough for `todo` at the rates seen so far.

        Before the first chunk the rate of a class is its training share;
        after it, its share of the rows drawn (a class never drawn gets
        the largest chunk).
        """
        drawn = self._seen.sum()
        rate = (
            self._seen / drawn if drawn else self._counts / self._counts.sum()
        )
        size = sum(
            n / rate[c] if rate[c] else MAX_CHUNK for c, n in todo.items()
        )
        rows = model.sample(int(np.clip(np.ceil(size), MIN_CHUNK, MAX_CHUNK)))
        self._seen += np.bincount(rows[LABEL], minlength=self.num_classes)
        return rows


class TVAEPerClassMethod(TVAEMethod):
    """TVAE-C+Q: one TVAE per class to grow, fitted on that class's rows.

    Not the brief's one model: the way to oversample with a generator
    that has no conditional sampling when one model on all rows rarely
    writes a minority label (TVAE+Q's rejection then is NA). `epochs_`
    and `generator_` are dicts by class.
    """

    name = "TVAE-C+Q"
    sampler_name_ = "TVAE per class"

    def _fitted(self, ctgan, frame, discrete, need):
        codes, labels = discrete[:-1], frame[LABEL].to_numpy()
        self.epochs_, self.generator_ = {}, {}
        for c in need:
            rows = frame[labels == c].drop(columns=LABEL)
            if len(rows) < 2:  # rdt's mixture models need two rows
                raise MethodNotApplicable(
                    f"{self.name}: class {c} has {len(rows)} training row; "
                    "a TVAE per class needs at least 2."
                )
            self.epochs_[c] = self._epochs(len(rows))
            self.generator_[c] = self._fit_one(
                ctgan, rows, codes, self.epochs_[c]
            )
        return self.generator_

    def _new_rows(self, models, need):
        return pd.concat(
            [
                models[c].sample(n).assign(**{LABEL: np.int64(c)})
                for c, n in need.items()
            ],
            ignore_index=True,
        )


class PeerHGBMethod(OversampledHGBMethod):
    """A peer's rows (full balance), then HGB; `sampler_seconds_` kept."""

    def _oversample(self, x, y, epochs, batch_size, validation_data=None):
        out = super()._oversample(x, y, epochs, batch_size, validation_data)
        self.sampler_seconds_ = self.sampler_.sampler_seconds_
        return out


def to_frame(x, y, blocks):
    """Model-space rows as a DataFrame: numbers, category codes, label.

    Returns:
        `(frame, discrete)`: columns `n0..` (continuous), `c0..` (one
        integer column per block) and `"label"`; `discrete` names the
        category columns and the label.
    """
    rows = to_ordinal(x, blocks)
    num_numeric = rows.shape[1] - len(blocks)
    frame = pd.DataFrame(
        rows[:, :num_numeric], columns=[f"n{j}" for j in range(num_numeric)]
    )
    codes = [f"c{j}" for j in range(len(blocks))]
    for j, name in enumerate(codes):
        frame[name] = rows[:, num_numeric + j].astype(np.int64)
    frame[LABEL] = np.asarray(y, dtype=np.int64)
    return frame, [*codes, LABEL]


def from_frame(frame, blocks, width):
    """`to_frame`'s inverse: model-space rows (float32) and labels."""
    rows = frame.drop(columns=LABEL).to_numpy(np.float64)
    x = from_ordinal(rows, blocks, width)
    return x, frame[LABEL].to_numpy(np.int64)


def draw_rows(draw, need, name):
    """Drawn rows until each class `c` has `need[c]` rows of label `c`.

    Args:
        draw: callable `{class: rows still needed}` -> DataFrame with a
            `"label"` column.
        need: dict `{class: rows}`.
        name: str. The method's name, for the error.

    Returns:
        DataFrame of exactly `need[c]` rows of each class `c`.

    Raises:
        MethodNotApplicable: a class is still short after `MAX_DRAWS`.
    """
    kept = {c: [] for c in need}
    missing = dict(need)
    for _ in range(MAX_DRAWS):
        if not any(missing.values()):
            break
        rows = draw({c: n for c, n in missing.items() if n})
        labels = rows[LABEL].to_numpy()
        for c, n in missing.items():
            take = rows[labels == c].iloc[:n]
            kept[c].append(take)
            missing[c] -= len(take)
    short = {c: n for c, n in missing.items() if n}
    if short:
        raise MethodNotApplicable(
            f"{name}: after {MAX_DRAWS} draws the generator still lacks "
            f"{short} rows of these classes (class: rows missing)."
        )
    parts = [part for c in need for part in kept[c]]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


@contextlib.contextmanager
def one_thread():
    """torch and joblib on one thread; torch's setting restored after."""
    import joblib
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with joblib.parallel_config(backend="sequential"):
            yield
    finally:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def _quiet():
    """Silence the generators' convergence and deprecation chatter."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


PEERS = (CTGANMethod, TVAEMethod, TVAEPerClassMethod)


def register_peers():
    """Register the peers before Q and HGB.

    `"CTGAN+Q"`, `"CTGAN+HGB"`, `"TVAE+Q"`, `"TVAE+HGB"`, `"TVAE-C+Q"`,
    `"TVAE-C+HGB"`.

    Returns:
        tuple of the six `MethodSpec`s.

    Example:
    >>> register_peers()
    >>> compare_suite("tables/", methods=["CTGAN+HGB", "TVAE+HGB"])
    """
    specs = []
    for cls in PEERS:
        spec = register_method(cls.name, cls)
        name = cls.name.replace("+Q", "+HGB")
        factory = _hgb_factory(name, spec)
        specs += [spec, register_method(name, factory, options=spec.options)]
    return tuple(specs)


def _hgb_factory(name, spec):
    return functools.partial(PeerHGBMethod, name=name, sampler=spec)


__all__ = ["CTGANMethod", "TVAEMethod", "PeerHGBMethod", "register_peers"]
