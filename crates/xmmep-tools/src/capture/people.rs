//! The users of the generated sessions: profiles, buddy lists, and the
//! servers they talk to.

use crate::capture::msg::{Bool, Int, Struct, Text};
use crate::capture::net::{HostId, Net};
use xmmep_core::codec::EncValue;

/// The server side of the system (spec 2: router, register, presence).
pub struct World {
    pub net: Net,
    pub router: HostId,
    pub register: HostId,
    pub presence: HostId,
}

impl World {
    pub fn new(seed: u64, name: &str) -> World {
        let mut net = Net::new(seed, name);
        let router = net.host([203, 0, 113, 10]);
        let register = net.host([203, 0, 113, 11]);
        let presence = net.host([203, 0, 113, 20]);
        World { net, router, register, presence }
    }
}

pub struct Person {
    pub user: &'static str,
    pub password: &'static str,
    pub nick: &'static str,
    pub pmsg: &'static str,
    pub email: &'static str,
    pub avatar: &'static str,
    /// Seconds since 1970 (noon UTC of the birthday).
    pub birthday: i64,
    pub birthdate: &'static str,
    pub location: &'static str,
    pub male: bool,
    pub ip: [u8; 4],
}

pub const ALICE: Person = Person {
    user: "alice",
    password: "wonderland7",
    nick: "Alice",
    pmsg: "Down the rabbit hole",
    email: "alice@example.com",
    avatar: "avatar/alice.png",
    birthday: 643_982_400,
    birthdate: "1990-05-29",
    location: "Berlin",
    male: false,
    ip: [198, 51, 100, 23],
};
pub const BOB: Person = Person {
    user: "bob_k",
    password: "hunter2hunt",
    nick: "Bob",
    pmsg: "On call this week",
    email: "bob.k@example.org",
    avatar: "avatar/bob.jpg",
    birthday: 561_816_000,
    birthdate: "1987-10-21",
    location: "Hamburg",
    male: true,
    ip: [198, 51, 100, 47],
};
pub const CAROL: Person = Person {
    user: "carol.z",
    password: "c4r0l-pass",
    nick: "Carol Zhang 张",
    pmsg: "你好 👋",
    email: "carol@example.net",
    avatar: "avatar/carol.gif",
    birthday: 738_072_000,
    birthdate: "1993-05-23",
    location: "Shanghai 上海",
    male: false,
    ip: [198, 51, 100, 81],
};
pub const LINDA: Person = Person {
    user: "lindawu",
    password: "sunflower88",
    nick: "Linda",
    pmsg: "New here!",
    email: "linda.wu@example.com",
    avatar: "",
    birthday: 774_014_400,
    birthdate: "1994-07-12",
    location: "Munich",
    male: false,
    ip: [198, 51, 100, 57],
};
/// Users of the GB18030 capture.
pub const WANG: Person = Person {
    user: "王小明",
    password: "xm2024abcd",
    nick: "小明",
    pmsg: "好好学习，天天向上",
    email: "wangxm@example.cn",
    avatar: "avatar/wang.png",
    birthday: 700_000_000,
    birthdate: "1992-03-07",
    location: "北京市海淀区",
    male: true,
    ip: [198, 51, 100, 101],
};
pub const LI: Person = Person {
    user: "李晓红",
    password: "hong1995li",
    nick: "晓红",
    pmsg: "今天也要加油 😀",
    email: "lixh@example.cn",
    avatar: "avatar/li.png",
    birthday: 800_000_000,
    birthdate: "1995-05-08",
    location: "上海市浦东新区",
    male: false,
    ip: [198, 51, 100, 102],
};
pub const ZHANG: Person = Person {
    user: "张建国",
    password: "jg19880808",
    nick: "老张",
    pmsg: "忙，有事留言",
    email: "zhangjg@example.cn",
    avatar: "avatar/zhang.png",
    birthday: 587_000_000,
    birthdate: "1988-08-08",
    location: "广州市天河区",
    male: true,
    ip: [198, 51, 100, 103],
};

impl Person {
    pub fn host(&self, net: &mut Net) -> HostId {
        net.host(self.ip)
    }

    /// Struct UserInfo.
    pub fn user_info(&self, x: Text, last_login: i64) -> EncValue {
        Struct(vec![
            x.s(self.user),
            x.s(self.nick),
            x.s(self.pmsg),
            x.s(self.email),
            x.s(self.avatar),
            Int(self.birthday),
            x.s(self.location),
            Int(last_login),
            Int(self.male as i64),
        ])
    }

    /// Struct OnlineBuddy.
    #[allow(clippy::too_many_arguments)]
    pub fn online(&self, x: Text, group: &str, display: &str, ip: [u8; 4], port: u16, status: i64) -> EncValue {
        let [a, b, c, d] = ip;
        Struct(vec![x.s(self.user), x.s(group), x.s(display), x.s(self.pmsg), x.s(self.avatar), x.s(&format!("{a}.{b}.{c}.{d}")), Int(port as i64), Int(status)])
    }

    /// The fields of MSG_REGISTER_REQ and MSG_USER_REGISTERED_NOTIFY.
    pub fn registration(&self, x: Text) -> Vec<EncValue> {
        vec![x.s(self.user), x.s(self.password), x.s(self.email), x.s(self.nick), x.s(self.pmsg), x.s(self.birthdate), x.s(self.location), Bool(self.male)]
    }
}

/// One entry of a buddy list.
#[derive(Debug, Clone)]
pub struct BuddyEntry {
    pub user: String,
    pub group: String,
    pub display: String,
}

impl BuddyEntry {
    pub fn value(&self, x: Text) -> EncValue {
        Struct(vec![x.s(&self.user), x.s(&self.group), x.s(&self.display)])
    }
}

const GIVEN: &[&str] = &[
    "anna", "ben", "chloe", "david", "emma", "felix", "greta", "hugo", "ines", "jonas", "karla", "lukas", "mia", "noah", "olga", "paul", "quinn", "rosa", "sven", "tara", "ulf",
    "vera", "wei", "xin", "yusuf", "zoe",
];
const FAMILY: &[&str] = &["meyer", "schmidt", "li", "wang", "novak", "rossi", "garcia", "smith", "kowalski", "tanaka", "haddad", "silva"];

/// `n` distinct buddies spread over `groups`.
pub fn buddy_list(net: &mut Net, n: usize, groups: &[&str]) -> Vec<BuddyEntry> {
    let mut out: Vec<BuddyEntry> = Vec::new();
    while out.len() < n {
        let g = *net.rng.pick(GIVEN);
        let f = *net.rng.pick(FAMILY);
        let sep = *net.rng.pick(&[".", "_", ""]);
        let user = if net.rng.range(0, 3) == 0 { format!("{g}{sep}{f}{}", net.rng.range(1, 99)) } else { format!("{g}{sep}{f}") };
        if out.iter().any(|b| b.user == user) || user.len() > 16 {
            continue;
        }
        let mut display = format!("{}{} {}{}", g[..1].to_uppercase(), &g[1..], f[..1].to_uppercase(), &f[1..]);
        if net.rng.range(0, 4) == 0 {
            display.push_str(" (old account)");
        }
        let group = net.rng.pick(groups).to_string();
        out.push(BuddyEntry { user, group, display });
    }
    out
}
