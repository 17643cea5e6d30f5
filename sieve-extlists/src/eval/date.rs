//! Date parts (RFC 5260 §4.2) of an instant seen in a zone, with the civil-calendar arithmetic
//! done here (days from 1970-01-01, proleptic Gregorian).

/// Days since 1970-01-01 of a civil date, in seconds.
pub(crate) fn civil_to_unix(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

fn days_to_civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// An instant as seen in one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZonedTime {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    /// Days since the epoch (local).
    days: i64,
    offset_minutes: i32,
}

impl ZonedTime {
    pub(crate) fn new(unix: i64, offset_minutes: i32) -> Self {
        let local = unix + i64::from(offset_minutes) * 60;
        let days = local.div_euclid(86_400);
        let seconds = local.rem_euclid(86_400) as u32;
        let (year, month, day) = days_to_civil(days);
        Self {
            year,
            month,
            day,
            hour: seconds / 3600,
            minute: seconds / 60 % 60,
            second: seconds % 60,
            days,
            offset_minutes,
        }
    }

    fn zone(&self, colon: bool) -> String {
        let sign = if self.offset_minutes < 0 { '-' } else { '+' };
        let abs = self.offset_minutes.unsigned_abs();
        if colon {
            format!("{sign}{:02}:{:02}", abs / 60, abs % 60)
        } else {
            format!("{sign}{:02}{:02}", abs / 60, abs % 60)
        }
    }

    /// RFC 5260 §4.2.
    pub(crate) fn part(&self, name: &str) -> Option<String> {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        // 1970-01-01 was a Thursday.
        let weekday = (self.days + 4).rem_euclid(7) as usize;
        Some(match name.to_ascii_lowercase().as_str() {
            "year" => format!("{:04}", self.year),
            "month" => format!("{:02}", self.month),
            "day" => format!("{:02}", self.day),
            "date" => format!("{:04}-{:02}-{:02}", self.year, self.month, self.day),
            // The Modified Julian Day: days since 1858-11-17.
            "julian" => (self.days + 40_587).to_string(),
            "hour" => format!("{:02}", self.hour),
            "minute" => format!("{:02}", self.minute),
            "second" => format!("{:02}", self.second),
            "time" => format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second),
            "iso8601" => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
                self.year,
                self.month,
                self.day,
                self.hour,
                self.minute,
                self.second,
                self.zone(true)
            ),
            "std11" => format!(
                "{}, {} {} {:04} {:02}:{:02}:{:02} {}",
                DAYS[weekday],
                self.day,
                MONTHS[(self.month as usize).saturating_sub(1).min(11)],
                self.year,
                self.hour,
                self.minute,
                self.second,
                self.zone(false)
            ),
            "zone" => self.zone(false),
            "weekday" => weekday.to_string(),
            _ => return None,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(civil_to_unix(1970, 1, 1), 0);
        assert_eq!(civil_to_unix(2000, 3, 1), 951_868_800);
        for days in [-800_000, -1, 0, 59, 60, 365, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = days_to_civil(days);
            assert_eq!(civil_to_unix(y, m, d), days * 86_400);
        }
    }

    /// RFC 5260 §4.2 parts for 2009-12-01T10:00:00+01:00.
    #[test]
    fn parts() {
        let t = ZonedTime::new(1_259_658_000, 60);
        assert_eq!(t.part("date").unwrap(), "2009-12-01");
        assert_eq!(t.part("time").unwrap(), "10:00:00");
        assert_eq!(t.part("zone").unwrap(), "+0100");
        assert_eq!(t.part("weekday").unwrap(), "2");
        assert_eq!(t.part("julian").unwrap(), "55166");
        assert_eq!(t.part("iso8601").unwrap(), "2009-12-01T10:00:00+01:00");
        assert_eq!(t.part("std11").unwrap(), "Tue, 1 Dec 2009 10:00:00 +0100");
        assert_eq!(
            ZonedTime::new(1_259_658_000, -300).part("hour").unwrap(),
            "04"
        );
        assert!(t.part("fortnight").is_none());
    }
}
