//! The measures of the four indicators, each with its definition written beside it (English and
//! Chinese), in the order they are shown. The computation of each is one function named by `key`
//! in the indicator's module.

/// One of the four difficulties of old-community governance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    /// Weak participation.
    Participation,
    /// Poor coordination between actors.
    Coordination,
    /// Supply–demand mismatch of services.
    SupplyDemand,
    /// Weak resource linkage.
    Resources,
}

impl Indicator {
    /// All four, in order.
    pub const ALL: [Indicator; 4] = [
        Self::Participation,
        Self::Coordination,
        Self::SupplyDemand,
        Self::Resources,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Participation => "participation",
            Self::Coordination => "coordination",
            Self::SupplyDemand => "supply_demand",
            Self::Resources => "resources",
        }
    }
}

/// A measure and its written definition.
#[derive(Debug, Clone, Copy)]
pub struct Info {
    /// Stable name (JSON, CSV columns, snapshots).
    pub key: &'static str,
    /// Which indicator it belongs to.
    pub indicator: Indicator,
    /// share (0–1), count, minutes, hours, rating or ratio.
    pub unit: &'static str,
    /// The definition, in English.
    pub en: &'static str,
    /// The definition, in Chinese.
    pub zh: &'static str,
}

const fn m(key: &'static str, indicator: Indicator, unit: &'static str, en: &'static str, zh: &'static str) -> Info {
    Info {
        key,
        indicator,
        unit,
        en,
        zh,
    }
}

use Indicator::*;

/// Every measure, grouped by indicator.
pub const MEASURES: &[Info] = &[
    m(
        "households_active",
        Participation,
        "share",
        "Share of the register's households (of the grid's buildings) with at least one member who posted a wish, answered an event invitation, checked in at an event, claimed a wish or was credited volunteer hours in the month.",
        "本月至少有一名成员发布心愿、回复活动邀请、活动签到、认领心愿或获得志愿时长的户数，占（本网格楼栋）台账户数的比例。",
    ),
    m(
        "party_members_active",
        Participation,
        "count",
        "Party members (living in the grid) with at least one action in the month: posted a wish, answered an event invitation, checked in at an event, claimed a wish or were credited volunteer hours.",
        "本月有过参与行为（发布心愿、回复活动邀请、活动签到、认领心愿或获得志愿时长）的党员人数（按居住网格）。",
    ),
    m(
        "in_service_members_on_track",
        Participation,
        "share",
        "Share of in-service (双报到) members (living in the grid) whose hours and services from 1 January to the month's end meet their yearly target pro-rated to the month's end.",
        "在职党员（双报到，按居住网格）中，1月1日至月末累计时长和次数达到按月末折算的年度目标进度的比例。",
    ),
    m(
        "event_attendance",
        Participation,
        "count",
        "Check-ins in the month at events of the grid (community-wide events count for the community).",
        "本月在本网格活动中的签到人次（全社区活动计入社区合计）。",
    ),
    m(
        "median_minutes_to_claim",
        Coordination,
        "minutes",
        "Median minutes from a wish being open to its claim, over wishes claimed in the month.",
        "本月被认领的心愿，从开放到被认领的时长中位数（分钟）。",
    ),
    m(
        "median_minutes_to_fulfil",
        Coordination,
        "minutes",
        "Median minutes from claim to fulfilment, over wishes fulfilled in the month.",
        "本月完成的心愿，从认领到完成的时长中位数（分钟）。",
    ),
    m(
        "claimed_within_sla",
        Coordination,
        "share",
        "Share of wishes claimed in the month whose wait from open to claim stayed within their category's limit (escalation.category_sla, else escalation.unclaimed_after).",
        "本月被认领的心愿中，从开放到认领未超过该类别时限的比例。",
    ),
    m(
        "escalations",
        Coordination,
        "count",
        "Alerts raised in the month that went on to the community admins (level 2).",
        "本月升级到社区管理员（二级）的预警数。",
    ),
    m(
        "median_minutes_to_acknowledge",
        Coordination,
        "minutes",
        "Median minutes from an alert being raised to its acknowledgement (or resolution), over alerts raised in the month.",
        "本月产生的预警，从产生到被确认（或解决）的时长中位数（分钟）。",
    ),
    m(
        "handoffs",
        Coordination,
        "count",
        "Hand-offs in the month: claims released, and assignments of wishes that had been released before.",
        "本月转手次数：认领被退回，以及退回后重新指派。",
    ),
    m(
        "fulfilment_rate",
        SupplyDemand,
        "share",
        "Share of the wishes posted in the month (rejected ones aside) that have been fulfilled.",
        "本月发布的心愿（不含被驳回的）中已完成的比例。",
    ),
    m(
        "unclaimed_past_sla",
        SupplyDemand,
        "count",
        "Wishes that waited past their category's limit unclaimed (an unclaimed alert raised in the month), by category.",
        "本月超过类别时限仍无人认领的心愿数（按类别）。",
    ),
    m(
        "demand",
        SupplyDemand,
        "count",
        "Wishes posted in the month, by category.",
        "本月发布的心愿数（按类别）。",
    ),
    m(
        "volunteer_supply",
        SupplyDemand,
        "count",
        "Distinct volunteers who claimed a wish (or were assigned one) in the month, by category.",
        "本月认领心愿的志愿者人数（按类别）。",
    ),
    m(
        "demand_per_volunteer",
        SupplyDemand,
        "ratio",
        "Wishes posted in the month per volunteer who claimed one in the month.",
        "本月每名认领志愿者对应的新心愿数。",
    ),
    m(
        "average_rating",
        SupplyDemand,
        "rating",
        "Average rating (1–5) of the wishes closed in the month.",
        "本月关闭心愿的平均评分（1–5）。",
    ),
    m(
        "callbacks",
        SupplyDemand,
        "count",
        "Callbacks (回访) owed after a rating of 2 or less, raised in the month.",
        "本月因评分不高于2分产生的回访任务数。",
    ),
    m(
        "active_units",
        Resources,
        "count",
        "Co-building units (共建单位) with a project of the grid proposed, agreed or delivered in the month, or with a resource on offer in it (resources serve every grid).",
        "本月有本网格项目提议、同意或交付，或有资源在供的共建单位数（资源面向全社区）。",
    ),
    m(
        "resources_offered",
        Resources,
        "count",
        "Resources co-building units had on offer at some time in the month (listed, not withdrawn, available in it). Resources serve every grid: each grid shows the community's figure.",
        "本月某时在供的共建单位资源数（已登记、未撤回、在可用期内）；资源面向全社区，各网格显示社区合计。",
    ),
    m(
        "resources_used",
        Resources,
        "count",
        "Resources a project of the grid was delivered with in the month.",
        "本月本网格项目交付时使用的资源数。",
    ),
    m(
        "projects_delivered",
        Resources,
        "count",
        "Projects of the grid delivered in the month (their wishes fulfilled and closed).",
        "本月交付的本网格项目数（项目中的心愿随之完成并关闭）。",
    ),
    m(
        "volunteer_hours",
        Resources,
        "hours",
        "Volunteer hours credited in the month for the grid's wishes and events (corrections included).",
        "本月因本网格心愿和活动记入的志愿时长（小时，含更正）。",
    ),
    m(
        "unit_and_member_hours",
        Resources,
        "hours",
        "Hours contributed in the month: the minutes credited to co-building units for the grid's projects delivered in it, and the volunteer hours credited in it to in-service party members for the grid's wishes and events.",
        "本月贡献的时长（小时）：本网格交付项目记给共建单位的时长，加上本月因本网格心愿和活动记给在职党员的志愿时长。",
    ),
];

/// The measure named `key`.
pub fn info(key: &str) -> Option<&'static Info> {
    MEASURES.iter().find(|i| i.key == key)
}
