"""The repeat fields of the activity form: the common rules in plain words, until a date
or for a number of times, or a custom RRULE. The checked rule lands in `rrule`, which is
what the content service saves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from wijk.forms import add_error
from wijk.series.rules import (
    MAX_OCCURRENCES,
    MAX_RULE_LENGTH,
    PRESETS,
    RuleError,
    check,
    end_clause,
    normalise,
    preset_rule,
    split_rule,
)

if TYPE_CHECKING:  # mypy checks the mixin as the form it is mixed into
    from flask_wtf import FlaskForm as _FormBase
else:
    _FormBase = object


class RepeatMixin(_FormBase):
    """Mixed into a form that has `starts_at`."""

    starts_at: Field  # the form's own field

    repeat = SelectField(
        _l("Repeats"),
        default="",
        validate_choice=True,
        choices=[("", _l("Does not repeat")), *PRESETS.items()],
    )
    repeat_until = DateField(
        _l("Repeats until"), validators=[Optional()], description=_l("The last day of the series.")
    )
    repeat_count = IntegerField(
        _l("Number of times"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_OCCURRENCES,
                message=_l("Choose a number from 1 to %(max)d.", max=MAX_OCCURRENCES),
            ),
        ],
        description=_l("Or, instead of an end date: how many times in all."),
    )
    repeat_rule = StringField(
        _l("Custom rule (RRULE)"),
        validators=[Optional(), Length(max=MAX_RULE_LENGTH)],
        description=_l(
            "Only for “Custom rule”, as in iCalendar, for example "
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU;COUNT=10"
        ),
    )
    rrule = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = kwargs.get("obj")
        self._stored_rule = item.rrule if item is not None else None
        if item is not None and not self.is_submitted() and item.rrule and item.starts_at:
            (
                self.repeat.data,
                self.repeat_until.data,
                self.repeat_count.data,
                self.repeat_rule.data,
            ) = split_rule(item.rrule, item.starts_at)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.rrule is None:
            return valid
        if self.repeat is None or self.starts_at is None:
            # A form cut down without the repeat fields (a manager's edit) keeps the rule.
            self.rrule.data = self._stored_rule
            return valid
        self.rrule.data = None
        first = self.starts_at.data
        if not self.repeat.data or first is None or not valid:
            return valid
        until, count = self.repeat_until.data, self.repeat_count.data
        if until and count:
            add_error(
                self.repeat_count, str(_l("Choose an end date or a number of times, not both."))
            )
            return False
        end_field = (
            self.repeat_until if until else self.repeat_count if count else self.repeat_until
        )
        try:
            if self.repeat.data == "custom":
                rule = normalise(self.repeat_rule.data or "")
                if not rule:
                    raise RuleError(str(_l("Type the rule, or choose one of the common ones.")))
                if "UNTIL=" not in rule and "COUNT=" not in rule and (until or count):
                    rule += end_clause(until, count)
            else:
                rule = preset_rule(self.repeat.data, first, until=until, count=count)
            series = check(rule, first)
        except RuleError as error:
            # A preset always fits its first date, so its trouble is the end; a custom
            # rule's is the rule, unless the end came from the end fields.
            custom = self.repeat.data == "custom"
            from_fields = error.about_end and (until or count)
            target = self.repeat_rule if custom and not from_fields else end_field
            add_error(target, str(error))
            return False
        self.rrule.data = series.rule
        return True


class DateChangeForm(FlaskForm):
    """One date of a series: cancel it, restore it, or move it to a new time."""

    occurrence = IntegerField(validators=[DataRequired()])
    action = SelectField(
        choices=[
            ("cancel", _l("Cancel this date")),
            ("restore", _l("Restore as planned")),
            ("move", _l("Move")),
        ],
        validate_choice=True,
    )
    starts_at = DateTimeLocalField(
        _l("New start"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    ends_at = DateTimeLocalField(_l("New end"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
