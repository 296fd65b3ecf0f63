"""Choosing a deployment (inference config, instance type) by objective (issue #21, part 1).

Pure: reads a spec in the real JumpStart schema (``inference_configs[<config>]["benchmark_metrics"]``
= ``{instance_type: [{"name", "value", "unit", "concurrency"}]}``, ``inference_config_rankings``,
``inference_config_components[<c>]["supported_inference_instance_types"]``) and decides. No SDK, no CDK.

Rules (README, "Choosing a deployment by objective"):

- Figures are read as the SDK reads them (``_normalize_benchmark_metrics``): a stat whose name
  contains "instance rate" is a price, not a figure; the others are grouped by concurrency; a name
  containing "latency" is the latency (the SDK labels it "TTFT, P50"), one containing "throughput"
  the throughput (tokens/s per user). Units are normalised: latency to seconds (``ms`` / ``s``),
  throughput kept in tokens/s. An instance type key without ``ml.`` gets it, as the SDK does.
- Concurrency N: the figure measured at exactly N; if none, the nearest measured concurrency above
  N (a figure measured under more load is a safe bound); never one below N (it would flatter).
- Latency: lowest wins. Throughput: highest wins. Cost: lowest price per 1M tokens, computed as
  ``price_per_hour / (throughput * concurrency * 3600) * 1e6`` (throughput is per user), with prices
  recorded by ``jumpstart lock --prices``; never guessed.
- Missing figures (an instance type without the objective's metric at a usable concurrency) are
  excluded; if nothing is left, the error names what was asked and what is valid.
- Instance types: those the config measured, kept only if the config supports them (its components'
  ``supported_inference_instance_types`` when given) and, if an allowed set is given, in that set.
- Ties (equal figures): the spec's ``inference_config_rankings["overall"]`` order, then the order
  of the allowed set (else the spec's order of instance types).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .errors import JumpStartError

OBJECTIVES = ("latency", "throughput", "cost")
_LATENCY_TO_S = {"s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0, "ms": 1e-3, "millisecond": 1e-3,
                 "milliseconds": 1e-3}


class ObjectiveError(JumpStartError):
    """An objective that cannot be met: bad value, no figures, no prices."""


@dataclass(frozen=True)
class Option:
    """One measured point: a config on an instance type at a concurrency."""

    config_name: str
    instance_type: str
    concurrency: int
    latency_s: Optional[float]
    throughput: Optional[float]  # tokens/s per user
    latency: Optional[Tuple[float, str]] = None  # as the spec writes it (value, unit)
    throughput_raw: Optional[Tuple[float, str]] = None


@dataclass(frozen=True)
class Choice:
    """What was chosen, on which figures, and why (one line)."""

    objective: str
    concurrency: int
    config_name: str
    instance_type: str
    measured_concurrency: int
    latency_s: Optional[float]
    throughput: Optional[float]
    price_per_hour: Optional[float]
    cost_per_million_tokens: Optional[float]
    why: str

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Choice":
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})  # type: ignore[arg-type]


def _ml(instance_type: str) -> str:
    return instance_type if instance_type.startswith("ml.") else f"ml.{instance_type}"


def _latency_seconds(value: float, unit: str) -> Optional[float]:
    factor = _LATENCY_TO_S.get((unit or "").strip().lower())
    return None if factor is None else value * factor


def _supported(spec: Mapping[str, Any], config: Mapping[str, Any]) -> Optional[List[str]]:
    components = spec.get("inference_config_components") or {}
    found: Optional[List[str]] = None
    for name in config.get("component_names") or []:
        types = (components.get(name) or {}).get("supported_inference_instance_types")
        if types is not None:
            found = list(types)  # the last component that says wins, as components overlay in order
    return found


def rankings(spec: Mapping[str, Any]) -> List[str]:
    """The configs in the spec's ranking order (``overall``), then any unranked in spec order."""
    configs = list((spec.get("inference_configs") or {}).keys())
    ranked = list(((spec.get("inference_config_rankings") or {}).get("overall") or {}).get("rankings") or [])
    return [c for c in ranked if c in configs] + [c for c in configs if c not in ranked]


def options(spec: Mapping[str, Any]) -> List[Option]:
    """Every measured (config, instance type, concurrency) of the spec, in ranking order, as the SDK
    groups them. Instance rate stats are left out (prices come from the lockfile)."""
    found: List[Option] = []
    configs = spec.get("inference_configs") or {}
    for name in rankings(spec):
        config = configs.get(name) or {}
        supported = _supported(spec, config)
        for instance_type, stats in (config.get("benchmark_metrics") or {}).items():
            instance_type = _ml(instance_type)
            if supported is not None and instance_type not in supported:
                continue
            by_concurrency: Dict[int, Dict[str, Tuple[float, str]]] = {}
            for stat in stats or []:
                stat_name = str(stat.get("name", "")).lower()
                if "instance rate" in stat_name or stat.get("concurrency") is None:
                    continue
                kind = "latency" if "latency" in stat_name else "throughput" if "throughput" in stat_name else None
                if kind is None:
                    continue
                try:
                    value = float(stat["value"])
                    concurrency = int(stat["concurrency"])
                except (KeyError, TypeError, ValueError):
                    continue
                if math.isfinite(value):
                    by_concurrency.setdefault(concurrency, {})[kind] = (value, str(stat.get("unit", "")))
            for concurrency in sorted(by_concurrency):
                figures = by_concurrency[concurrency]
                latency = figures.get("latency")
                throughput = figures.get("throughput")
                found.append(Option(
                    config_name=name, instance_type=instance_type, concurrency=concurrency,
                    latency_s=_latency_seconds(*latency) if latency else None,
                    throughput=throughput[0] if throughput else None,
                    latency=latency, throughput_raw=throughput,
                ))
    return found


def _at(points: List[Option], concurrency: int, metric: str) -> Optional[Option]:
    usable = [p for p in points if p.concurrency >= concurrency and getattr(p, metric) is not None]
    return min(usable, key=lambda p: p.concurrency) if usable else None


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def choose(
    opts: Sequence[Option],
    objective: str,
    concurrency: int = 1,
    allowed_instance_types: Optional[Sequence[str]] = None,
    prices: Optional[Mapping[str, float]] = None,
    ranking: Optional[Sequence[str]] = None,
) -> Choice:
    """The (config, instance type) that best meets ``objective`` at ``concurrency`` (rules above).

    ``opts`` in ranking order (as :func:`options` gives them) unless ``ranking`` is given; ``prices``
    maps instance type to USD per hour (needed for ``"cost"``). Raises :class:`ObjectiveError`."""
    if objective not in OBJECTIVES:
        raise ObjectiveError(f"optimize_for={objective!r} is not an objective; valid: {', '.join(OBJECTIVES)}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ObjectiveError(f"concurrency={concurrency!r} must be a whole number of users, 1 or more")
    if not opts:
        raise ObjectiveError("the spec has no benchmark figures (inference_configs[...].benchmark_metrics); "
                             "choose config_name and instance_type yourself")
    allowed = [_ml(t) for t in allowed_instance_types] if allowed_instance_types is not None else None
    order = list(ranking) if ranking is not None else list(dict.fromkeys(o.config_name for o in opts))
    type_order = allowed or list(dict.fromkeys(o.instance_type for o in opts))
    metric = "latency_s" if objective == "latency" else "throughput"
    if objective == "cost" and not prices:
        raise ObjectiveError(
            'optimize_for="cost" needs instance prices, and none are recorded; run '
            "`jumpstart lock --prices` (or `cdk synth -c jumpstart:prices=true`) to record them in the lockfile from "
            "the AWS Price List API (they are never guessed)")

    groups: Dict[Tuple[str, str], List[Option]] = {}
    for o in opts:
        if allowed is not None and o.instance_type not in allowed:
            continue
        groups.setdefault((o.config_name, o.instance_type), []).append(o)

    candidates: List[Tuple[Tuple[Any, ...], Option, Optional[float], Optional[float]]] = []
    unpriced: List[str] = []
    for (config, itype), points in groups.items():
        point = _at(points, concurrency, metric)
        if point is None:
            continue
        price = cost = None
        if objective == "cost":
            price = (prices or {}).get(itype)
            if price is None or not point.throughput:
                unpriced.append(itype)
                continue
            cost = price / (point.throughput * concurrency * 3600) * 1e6
            score = cost
        elif objective == "latency":
            score = point.latency_s
        else:
            score = -(point.throughput or 0.0)
        rank = order.index(config) if config in order else len(order)
        tindex = type_order.index(itype) if itype in type_order else len(type_order)
        candidates.append(((score, rank, tindex), point, price, cost))

    if not candidates:
        measured = sorted({o.instance_type for o in opts})
        where = (f"the allowed instance types ({', '.join(allowed)})" if allowed is not None
                 else "any instance type")
        extra = f"; no recorded price for {', '.join(sorted(set(unpriced)))}" if unpriced else ""
        raise ObjectiveError(
            f'optimize_for="{objective}" at concurrency={concurrency}: no figures for {where}{extra}. '
            f"Measured instance types: {', '.join(measured)}; measured concurrencies: "
            f"{', '.join(str(c) for c in sorted({o.concurrency for o in opts}))}")

    _, best, price, cost = min(candidates, key=lambda c: c[0])
    at = f"concurrency {concurrency}" if best.concurrency == concurrency else \
        f"concurrency {best.concurrency} (nearest measured at or above {concurrency})"
    if objective == "latency":
        figure = f"{_fmt(best.latency_s or 0.0)} s"
    elif objective == "throughput":
        figure = f"{_fmt(best.throughput or 0.0)} tokens/s per user"
    else:
        figure = (f"${_fmt(cost or 0.0)} per 1M tokens (${_fmt(price or 0.0)}/h, "
                  f"{_fmt(best.throughput or 0.0)} tokens/s per user)")
    return Choice(
        objective=objective, concurrency=concurrency, config_name=best.config_name,
        instance_type=best.instance_type, measured_concurrency=best.concurrency,
        latency_s=best.latency_s, throughput=best.throughput, price_per_hour=price,
        cost_per_million_tokens=cost,
        why=f"{best.config_name} on {best.instance_type}: {figure} at {at}",
    )


def choose_from_spec(
    spec: Mapping[str, Any],
    objective: str,
    concurrency: int = 1,
    allowed_instance_types: Optional[Sequence[str]] = None,
    prices: Optional[Mapping[str, float]] = None,
) -> Choice:
    """:func:`choose` on a spec's own figures and rankings."""
    return choose(options(spec), objective, concurrency, allowed_instance_types, prices, rankings(spec))
