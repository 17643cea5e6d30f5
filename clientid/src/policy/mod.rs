//! Policy heuristics applied at AUTH (draft §6.1–§6.3): the configuration, the engine that
//! decides, and the decision it returns.

mod config;
mod decision;
mod engine;
mod network;

pub use config::{
    Action, ClientIdPolicy, HandlingConfig, IdentitySpec, PolicyConfigError, RateRule,
    RefusalPoint, SharedIdentityRule, StoreFailure, TokenValue, TravelRule, TypeName,
};
pub use decision::{Alert, Decision, Finding, Heuristic, Verdict};
pub use engine::{AuthAttempt, PolicyEngine};
pub use network::network_label;
