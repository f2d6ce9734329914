"""Workflow profiles: models, loading and validation."""

from leadline.profiles.dora_models import DeploymentsSpec, DoraSpec, FailuresSpec, RestoreSpec
from leadline.profiles.dora_rules import DORA_FILTERS
from leadline.profiles.durations import format_duration, parse_duration
from leadline.profiles.loader import (
    ProfileError,
    load_profile,
    load_profile_text,
    profile_fingerprint,
    profile_from_data,
    profile_to_dict,
)
from leadline.profiles.models import DEFAULT_OCCURRENCE, STAGE_EVENTS, Profile, Scope, Stage, Start
from leadline.profiles.rules import STAGE_FILTERS

__all__ = [
    "DEFAULT_OCCURRENCE",
    "DORA_FILTERS",
    "STAGE_EVENTS",
    "STAGE_FILTERS",
    "DeploymentsSpec",
    "DoraSpec",
    "FailuresSpec",
    "Profile",
    "ProfileError",
    "RestoreSpec",
    "Scope",
    "Stage",
    "Start",
    "format_duration",
    "load_profile",
    "load_profile_text",
    "parse_duration",
    "profile_fingerprint",
    "profile_from_data",
    "profile_to_dict",
]
