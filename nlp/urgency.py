"""Life-and-safety detector: people trapped, gas, fire or smoke, live wires, flooding, falling objects,
violence, and a power cut where someone depends on a machine to breathe.

Built for recall: any trigger phrase makes a message urgent unless the context clearly says the
danger is not present now. Three such contexts are recognised, each judged on the clause around
the trigger (clauses are split at punctuation and spaces, as chat messages are written):

- hypothetical: "万一着火", "要是哪天困人了", "有火灾隐患", "会着火的", and threats of a later
  act ("扬言要砍人", "再吵就砍人");
- past: "昨天困过人", "上个月电梯困了人" (a past time word in scope and no "现在/还在/正在");
- resolved: "总阀我已经关了", "现在总算出来了", "火已经灭了" (after the trigger).

Negated mentions ("没有闻到煤气味") and danger told of another place in the same clause
("我们公司的电梯今天困人了", "我外婆家那个老小区水管爆了") are dismissed too. When several
triggers occur, one that survives is enough: "昨天困过人，今天又困人了" is urgent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.text import normalise

REASONS = ("trapped", "gas", "fire", "wires", "flood", "falling", "violence", "life_support")


@dataclass(frozen=True, slots=True)
class Urgency:
    urgent: bool
    reason: str | None = None  # one of REASONS when urgent
    evidence: str | None = None  # the phrase that made it urgent
    # Triggers that were found but set aside, as (reason, phrase, why) with why in
    # {"hypothetical", "past", "resolved", "negated", "elsewhere", "context"}: for logs and tests.
    dismissed: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Trigger:
    reason: str
    pattern: re.Pattern[str]
    needs: tuple[re.Pattern[str], ...] = ()  # each must also occur somewhere in the message
    veto: re.Pattern[str] | None = None  # a message with this is about something harmless


def _t(reason: str, pattern: str, needs: str | tuple[str, ...] = (), veto: str | None = None) -> _Trigger:
    needs = (needs,) if isinstance(needs, str) else needs
    return _Trigger(reason, re.compile(pattern), tuple(re.compile(n) for n in needs),
                    re.compile(veto) if veto else None)


_NC = r"[^，,。!！?？；; ]"  # any character that stays inside the clause
_LIFT = r"(?:电梯|电题|电体|电t|(?<!楼)梯|轿厢|升降机|𨋢|(?<![a-z])(?:dt|ele)(?![a-z]))"  # not 楼梯: a bicycle locked to the stair rail traps no one
_HOME = r"(?:家里|家中|屋里|屋头|屋内|满屋|客厅|卧室|房间|室内|厨房|卫生间|门里|家门|各家|我家|进屋|屋子)"
_PIPE = r"(?<!雨)(?<!雨水)(?<!落水)(?:水管|管子|管道|水表|阀门|接头|暖气片|暖气管|热水管|自来水管|进水管|供水管|主管|总管|管)"
_OBJ_HIGH = (r"(?:外机|空调|广告牌|招牌|牌子|玻璃|瓷砖|外墙|外立面|铝板|保温层|幕墙|阳台|花盆|树枝|枝干|大树|树|"
             r"护栏|吊顶|天花板|石膏板|扣板|雨棚|遮阳棚|防盗窗|窗扇|窗框|晾衣架|热水器|支架|架子|旗杆|限高杆|灯箱|"
             r"(?<![地路面步])石块|水泥块|(?<![地路面步])砖|顶棚|灯杆|脚手架|晾衣杆|冰溜子|冰柱|装饰线条|线条)")
# Things overhead that residents describe by their state rather than by "about to fall": a
# cracked canopy pane, a window hanging by one hinge, bulging facade tiles. Such a state counts
# only for an object that hangs over people (_OVERHEAD) and when the message says someone passes
# below (_BELOW): a cracked window pane inside a home is a repair, not an emergency. Glass that
# broke and fell is past; glass that still hangs is "卡在", "挂着", "裂成", "还没掉".
_OVERHEAD = (_OBJ_HIGH[:-1] + r"|窗户|窗子|窗|门头|门顶|招牌|大字|字牌|雨篷|保温板|吊顶板|花盆|盆栽|空调架|水箱|冰凌|冰溜子|冰锥)")
_BELOW = (r"底下|下面|下方|下边|楼下|头顶|头上|上方|上头|顶上|门头|门顶|"
          r"(?:从|往)" + r"[^，,。!！?？；; ]{0,4}(?:下|底)(?:面|边|头)?(?:过|走|经过|进出|路过)")
_PRECARIOUS = (r"裂(?:成|了|开|缝)|卡在|只靠|就剩|挂着|吊着|垂着|悬着|耷拉|晃荡|晃悠|(?:一吹|一碰|风大)[^，,。 ]{0,3}晃|"
               r"鼓起|鼓包|空鼓|脱出|脱开|脱离|锈穿|锈断|锈透|往下沉|下沉|塌下来|掀开|掀起|歪歪|歪在|翘起|没掉|还没掉")
# A lift stuck between floors: "卡在9楼和10楼中间" names no lift but can only be one.
_FLOOR = r"[\d一二三四五六七八九十几]+(?:楼|层)"
# Water that is meant to run (sprinklers, car washes, watering) or frozen still: no flood.
_WATERING = r"喷头|洒水|喷灌|喷泉|雾炮|洗车|浇水|浇花|浇菜|水带|冻住|热水浇"
# Things built out from a building on purpose: a complaint about the building, not a fall.
_BUILT_OUT = r"往外扩|往外接|接出去|搭建|违建|加建|扩建|私搭"
# Smoke from kitchens, restaurants and cigarettes is a nuisance, not a fire.
_SMOKE_VETO = (r"饭店|餐馆|饭馆|餐厅|菜馆|小吃店|快餐店|摊|早餐车|烧烤|烤串|烤鱼|串串|奶茶|烤炉|食堂|火锅|小吃|排烟|烟囱|锅炉|抽烟|吸烟|打牌|缭绕|气得|气到|气的|烧香|香火|"
               r"油烟|油味|大排档|排档|烤肉|炭炉|拖拉机|尾气|排气管|煎|辣椒|孜然|做饭|炒菜")

TRIGGERS: tuple[_Trigger, ...] = (
    # people trapped in a lift
    _t("trapped", r"困人|被困|困住|困着|困在|困了(?:人|我|他|她|孩子|老人|小孩|[\d一二两三四五几]+个)",
       veto=r"救援要|演练|自救|培训|交钱|收费|怎么处理|可以关了|早出来|差点|三天两头|修好"),
    # inside a lift that will not move or open: "我和我妈关在里面", "卡电梯里了", "电梯关人了"
    _t("trapped", r"(?:关|困|卡|锁)(?:在|勒|喺)?(?:里面|里头|里厢|入面|里边)|关人|关住人|关了人|(?:卡|困|关|锁)(?:在|勒|喺)?(?:电梯|轿厢)里|被(?:电梯|轿厢)(?:关|困|卡|锁)住|(?:停|悬|卡)在半空",
       needs=_LIFT, veto=r"救援要|演练|自救|培训|交钱|收费|被关怕|检测报告"),
    _t("trapped", r"在(?:电梯|轿厢)里", needs=r"不动|打不开|出不去|出不来|喘不|闷|灯灭|救|卡"),
    # someone said to be inside a lift, or a lift that holds someone: "里面两个老人", "电梯关着个快递员"
    _t("trapped", r"(?:里面|里头|里厢|入面|内底|里边)" + _NC + r"{0,6}(?:有人|还有人|人|小孩|孩子|娃|宝宝|老人|老头|老太|阿婆|阿公|孕妇|快递员|外卖|骑手|学生|哭|喊|拍门|敲门)"
       r"|(?:关|困|卡)(?:着|住|牢|咗|起|佇)(?:了)?(?:个|一个|两个|几个)?(?:人|阿婆|老|小|娃|快递|外卖)"
       r"|停在半中间|停中间了|上下都不靠|轿厢不动|门关不上" + _NC + r"{0,4}运行",
       needs=_LIFT, veto=r"三天两头|都不敢坐|修好|差点|可以关了|早出来|演练|自救|救援要|没人|就我一个人|吓得|超载"),
    _t("trapped", r"(?:电梯|轿厢)里(?:的人|有人)", needs=r"喊|救|打不开|出不来|出不去"),
    _t("trapped", r"夹住" + _NC + r"{0,6}(?:腿|手|脚|人|书包|衣服|孩子|老人)|被门夹住|(?:门|电梯)" + _NC + r"{0,3}夹着", needs=_LIFT),
    _t("trapped", r"往下掉了一截|往下一沉|冲顶|溜梯|蹲底|往下坠|急坠", needs=(_LIFT, r"里面|里头|在里|人在"),
       veto=r"没人|吓得|腿软|腿都软"),
    _t("trapped", r"(?:dt|ele)" + _NC + r"{0,2}卡", needs=r"有人|人在|快|救|娃"),
    _t("trapped", r"被(?:关|锁|卡|困)(?:在)?" + _NC + r"{0,10}" + _LIFT + r"|(?:关|锁|卡)在" + _NC + r"{0,3}" + _LIFT + r"里?"),
    _t("trapped", _LIFT + r"里?" + _NC + r"{0,6}被(?:关|锁|卡|困)住"),
    # a stuck lift with someone said to be inside: "电梯卡住了 里面是我室友"
    _t("trapped", r"(?:电梯|轿厢)" + _NC + r"{0,4}(?:卡住|停住|卡在半|停在半|急坠|往下坠)",
       needs=r"里面(?:是|有|还有|关着|坐着)|里头(?:是|有)|在里(?:面|头)"),
    _t("trapped", r"(?:卡|困|停)在(?:了)?(?:两|2)(?:层|楼)(?:中间|之间)", needs=_LIFT),
    _t("trapped", r"(?:卡|困|悬|吊|停)在(?:了)?" + _FLOOR + r"(?:和|与|跟|到|、)" + _FLOOR + r"?(?:中间|之间)"),
    _t("trapped", r"(?:里面|里头)(?:关着|困着|卡着|有人(?!家)|有个)|(?:人|我|他|她|孩子|小孩|老人|们|个|先生|老公|老婆|爱人|爸|妈|儿子|女儿|闺女|奶奶|爷爷|外婆|姥姥)(?:现在|还|都|一直)*在里(?:面|头)|出不去|出不来|扒不开|救命|关里面|被(?:关|锁|困)着",
       needs=_LIFT),
    # gas
    _t("gas", r"(?:煤气|燃气|燃汽|天然气|液化气|瓦斯)" + _NC + r"{0,8}(?:味|漏|泄|嘶嘶)", veto=r"好几个月|几个月了|一直都有|淡淡"),
    _t("gas", r"(?:闻到|味道?|气味)" + _NC + r"{0,6}(?:煤气|燃气|燃汽|天然气|液化气)|像煤气",
       veto=r"好几个月|几个月了|一直都有|淡淡"),
    # a smell described, not named: "像烧煤气没点着那种", "怕是燃气", "跟以前烧火的那个气一样"
    _t("gas", r"像" + _NC + r"{0,5}(?:煤气|燃气|天然气|液化气|烧气)|(?:怀疑|怕是|是不是|应该是|好像是)" + _NC + r"{0,4}(?:煤气|燃气|天然气|液化气)",
       needs=r"味|闻|臭|刺鼻|毛巾"),
    _t("gas", r"(?:煤气|燃气|天然气|液化气)" + _NC + r"{0,3}(?:泄漏|没关|管道破|管子破|管破|挖破)|燃起管|ranqi|meiqi|^(?:煤气|燃气)[!！]+"),
    # poisoning: gas or a charcoal fire indoors
    _t("gas", r"头晕|恶心|中毒|喘不上气|喘不过气", needs=r"燃气|煤气|天然气|液化气|烧炭|炭盆|煤炉|火盆", veto=r"电梯|呼吸机|制氧机|吸痰器"),
    _t("gas", r"(?<!轮胎)(?<!车胎)漏气|臭鸡蛋|煤汽|一股子?(?:煤气|燃气|液化气|天然气)", veto=r"暖气|供暖"),
    _t("gas", r"(?:味|气味)(?:道)?(?:好|很|特别|太|那么)(?:重|冲|大|浓)|很冲的气味|往外跑气|跑气|一直在响",
       needs=r"燃气|煤气|天然气|液化气|气罐|气瓶|燃气表|软管"),
    # a gas pipe hissing, a strong smell where gas is named
    _t("gas", r"(?:嘶嘶|呲呲|滋滋|哧哧|咝咝)(?:地|的)?(?:声|响|漏|冒|往外)|味儿?(?:挺|很|特别|好|太)(?:大|冲|浓)",
       needs=r"燃气|煤气|天然气|液化气|燃汽|气罐|气瓶", veto=r"暖气|供暖"),
    # fire or smoke
    _t("fire", r"着火|起火|失火|火灾(?!报警|隐患|演练|探测|自动)|火警(?!器|演习|演练|铃)|烧起来|烧着了|火苗|明火|火光|火势|蹿火|窜火"
       r"|全是火(?!锅)|一片火|火很大|喷火|火好大|火真大|火往上(?:烧|窜)|冒火|着起来|着咗火|火烧厝|烧紧|烟报都响|烟感都响|烟真大|冒黄烟|噼啪炸"
       r"|火越来越大|滴火|走火了|烧到" + _NC + r"{0,4}(?:纸箱|纸壳|被子|窗帘|杂物|楼上|门)",
       veto=r"热得|热死|天热|科普|演习"),
    _t("fire", r"门缝" + _NC + r"{0,4}烟|烟" + _NC + r"{0,6}门缝", veto=_SMOKE_VETO),
    _t("fire", r"火" + _NC + r"{0,4}(?:窜|蹿|冒)出|(?:在|还在)烧(?!水|饭|菜|烤|剩)|(?:油烟机|灶台|油锅|锅)" + _NC + r"{0,3}着了"),
    _t("fire", r"冒(?:白|黑|青|浓)?烟|浓烟|黑烟|起烟|(?<!油)烟雾|(?:全是|都是|好大的|很大的|有)烟(?![头味花酒囱草盒])"
       r"|烟(?:很|好|特别|太)大|烟" + _NC + r"{0,8}(?:窜|灌|呛|冒出|飘进)", veto=_SMOKE_VETO),
    _t("fire", r"烧焦|焦糊味|糊味|焦味", veto=_SMOKE_VETO + r"|好几天|几天了"),
    _t("fire", r"(?:电瓶|电池|电动车)" + _NC + r"{0,4}(?:炸了|爆炸|自燃|在烧)|自燃|爆炸"),
    # exposed wires, sparks
    _t("wires", r"电线" + _NC + r"{0,6}(?:裸露|露着|露在外|露出|掉下来|垂下来|耷拉|断了|掉地上|泡水|泡在水)"),
    _t("wires", r"裸露" + _NC + r"{0,4}(?:电线|线头)|(?:线头|铜丝|铜线|线芯)" + _NC + r"{0,6}(?:裸露|露|看得见|看得到)"),
    _t("wires", r"漏电|触电|被电(?:到|了|击)|电到人|电了一下|手都麻了|麻手|带电(?!梯)|被麻了|电麻了"),
    _t("wires", r"冒蓝光|蓝光|噼里啪啦|噼啪|滋啦|打火(?!机)|线" + _NC + r"{0,3}露(?:出来|在外)|线头裸着|垂着" + _NC + r"{0,4}碰到",
       needs=r"电线|线|插座|开关|配电|电箱|电表"),
    _t("wires", r"水" + _NC + r"{0,4}(?:电表箱|配电箱|电箱|插座|电闸)"),
    _t("wires", r"滋滋响|被电得|线" + _NC + r"{0,2}垂下来|接线盒" + _NC + r"{0,4}泡", needs=r"电|线|灯杆|接线盒"),
    _t("wires", r"(?:冒|打|闪|溅|起|迸|蹦)(?:出)?(?:一串)?(?:火花|火星)|火花|火星子"),
    _t("wires", r"(?:电箱|电表箱|配电箱|电闸|插座|开关)" + _NC + r"{0,6}(?:冒烟|着火|烧|啪啪响|噼啪)"),
    _t("wires", r"高压线" + _NC + r"{0,6}(?:断|掉|垂)"),
    # burst pipes, water pouring into homes
    _t("flood", _PIPE + _NC + r"{0,3}(?:爆了|爆裂|爆开|崩开|崩了|冻爆|炸了|喷水|呲水|滋水)", veto=r"好几回|好几次|老补"),
    _t("flood", r"发大水|水哗哗|哗啦啦|像喷泉|跟瀑布|往下冲|往下灌水|没过脚背|漫(?:进|到)(?:客厅|卧室|屋里|家里|房间)",
       needs=r"水", veto=r"好几回|老补|喷泉池|前几天|还在收拾"),
    _t("flood", r"喷得" + _NC + r"{0,4}(?:老高|到处|满)|往外喷(?!气)|(?:天花板|吊灯|灯)" + _NC + r"{0,4}(?:往下流|往下灌|在下雨|往下淌)|天花板" + _NC + r"{0,4}下雨"
       r"|还在" + _NC + r"{0,2}(?:往里|往外|往下|往上)?(?:进水|进|冒|涌|灌|翻)|门缝" + _NC + r"{0,4}往外流|水到(?:小腿|膝盖|脚脖)",
       needs=r"水|漏|雨", veto=_WATERING),
    _t("flood", r"爆管|管爆|呲水|滋水|喷水", veto=_WATERING),
    _t("flood", r"(?<!雨)水" + _NC + r"{0,10}(?:灌|涌|淹|浇)(?:进|到|入)?|往(?:家|屋)里(?:灌|流|涌)|往(?:我家|我们家|家里|屋里)(?:灌|涌|淌|流)(?:水|进来)",
       veto=_WATERING),
    # water still pouring into a home, a room full of it, a pipe spraying
    _t("flood", r"越(?:流|漏|淌|喷|冒|涌)越(?:大|多|猛|急)|哗哗(?:地|的)?(?:流|淌|往下|漏|冒|喷|涌)",
       needs=r"天花板|屋顶|楼板|家|屋|房间|客厅|卧室|厨房|卫生间"),
    _t("flood", r"(?:一|满)屋子?(?:的)?(?:脏|污|臭)?水|水" + _NC + r"{0,3}(?:往外喷|在喷|喷出来)",
       veto=_WATERING),
    _t("flood", _HOME + _NC + r"{0,8}(?:淹了|进水|全是水|成河|泡了|泡着)|水漫金山|淹到(?:脚|膝|腿|小腿)",
       veto=r"长毛|发霉|霉了|踢皮球|扯皮|推来推去|晾衣服|滴得"),  # mould, or blame: the water came long ago
    # objects about to fall from height
    _t("falling", r"摇摇欲坠|(?:悬|吊|挂)(?:在)?(?:半空|那里晃|着晃)|一整块悬着|斜挂着|离墙了",
       veto=_BUILT_OUT),
    _t("falling", r"(?:快|要|随时|马上|眼看|就要|快要)(?:要|会)?(?:掉|砸|坠|落)(?:下来|下去|了)?", veto=_LIFT),
    _t("falling", r"(?:快|要|随时|马上|眼看|就要|快要)(?:要|会)?(?:断|塌)(?:下来|下去|了)?", needs=_OBJ_HIGH + r"|树|棚|顶|楼", veto=r"腿|累|气"),
    _t("falling", r"往下(?:扔|丢|砸|抛)|高空抛物", needs=r"现在|还在|正在|刚才|刚刚", veto=r"通知|告知|天天|经常"),
    _t("falling", r"(?:坐|站|趴|蹲)在" + _NC + r"{0,4}(?:天台边|栏杆上|窗台上|窗户外|楼顶边|护栏外)|栏杆上坐着|腿挂在外面"),
    _t("falling", r"下面是(?:井道|空的)|底下是空的|井道露", needs=_LIFT),
    _t("falling", r"(?:塌|掉|断)了一(?:截|半)|吹翻|往外倒|掀起来|一直在翻|(?:会|要)刮下来|咣当|晃荡|在边边?上晃|耷拉着|悬在那|斜着挂|一大片在松",
       needs=_BELOW + r"|人来人往|有小孩|有人在|过道|出入口", veto=r"衣服|被子|床单|叶|虫|营业|地上|地面|地板|充电|好几个月|没倒|凿|扩大"),
    _t("falling", r"塌了一半|塌下来|(?:还在|一直)" + _NC + r"{0,2}(?:咔咔|嘎吱|吱嘎)响|(?:裂|缝)" + _NC + r"{0,6}(?:还在变宽|越来越宽|越裂越大)|倒了一半|斜着靠",
       needs=r"塌|里面有人|里面还有人|底下|下面|有人在", veto=r"电梯|轿厢"),
    _t("falling", r"(?:快|要|随时|马上|眼看|就要|快要)(?:要|会)?倒(?:了|下来)?", needs=_OBJ_HIGH + r"|枯树|老树|杆|墙",
       veto=r"电梯|轿厢|倒闭|倒霉|倒垃圾|倒车|倒是"),
    # what is left still hangs: "另外半块还耷拉着", "斜吊在那"
    _t("falling", r"(?:还|半块|半截|一半|一角|一边|斜)" + _NC + r"{0,2}(?:耷拉|悬|吊)(?:着|在)", needs=_OBJ_HIGH),
    # an open lift shaft: a lift door open on nothing
    _t("falling", r"(?:看(?:到|得到|得见|见)|露出|露着|敞着|对着)" + _NC + r"{0,3}(?:井道|电梯井|梯井)"
       r"|(?:井道|电梯井|梯井)" + _NC + r"{0,4}(?:敞|露|开着|没门|没挡|没拦)"),
    _t("falling", r"轿厢不在|没有轿厢|里面(?:是)?空的", needs=r"井道|电梯井|梯井|掉下去|摔下去"),
    _t("falling", _OBJ_HIGH + _NC + r"{0,8}(?:松动|松了|松脱|脱开|晃动|在晃|直晃|来回晃|就晃|(?<![拽拉掰撞压踩碰弄长接])歪了|吹歪|裂开|脱落|往下掉|掉下来了|鼓了|一掀一掀|根都翘|翘起来|翘出来|(?:往|向)" + _NC + r"{0,4}倒)",
       veto=_BUILT_OUT + r"|果子|果实|叶子|落叶|好几个月|没倒"),
    _t("falling", r"高空坠物|砸(?:到|伤)(?:了)?(?:人|车|头)"),
    _t("falling", _PRECARIOUS, needs=(_OVERHEAD, _BELOW),
       veto=_BUILT_OUT + r"|衣服|被子|床单|叶|虫|营业|地上|地面|地板|充电"),
    # swaying over people, whatever it hangs from (an illegal shed's sheet is no less dangerous)
    _t("falling", r"摇摇晃晃|晃来晃去|来回晃|直晃悠|乱拍|呼扇|在晃", needs=(_OVERHEAD + r"|铁皮|彩钢板|彩钢瓦|晾衣杆|杆子", _BELOW + r"|人来人往"),
       veto=r"衣服|被子|床单|叶|虫|秋千|吊床"),
    # hanging at a height given as a floor: "挂在七八楼那晃荡"
    _t("falling", r"(?:挂|吊|悬|耷拉)(?:在)?(?:了)?" + _NC + r"{0,2}" + _FLOOR, needs=_OVERHEAD,
       veto=r"衣服|被子|床单|横幅|灯笼|彩旗|条幅"),
    # a power cut with someone living on a machine: "停电了 我爸的呼吸机只有半小时电池"
    # (the battery running out, not a planned cut asked about or a past one)
    _t("life_support", r"电" + _NC + r"{0,2}(?:只剩|撑不|快没)|闪红灯|(?:只有|只剩|就剩|还剩)" + _NC + r"{0,6}电|电池" + _NC + r"{0,3}(?:快|只|就|撑|没多少)|撑不(?:了|住)|快没电"
       r"|用不了|停了|喘|报警|快来|求求|咳",
       needs=(r"呼吸机|制氧机|氧气机|透析|吸痰器|监护仪|输液泵", r"停电|断电|没电|跳闸|电池|黑了|备用电")),
    # people threatened by others
    _t("violence", r"(?:拿|持|举|挥)着?(?:刀|菜刀|砍刀|棍子?|棒子?|砖头|砖|酒瓶|瓶子|铁棍|铁锹)(?![子头]?(?:捅|敲|戳|顶|杵)(?:我家|我们家)?的?(?:天花板|楼板|屋顶|墙|地|暖气|管)|[子头]?(?:顶|垫|压|挡|堵|支)(?:着|住|门))|持刀|砍人|捅人|行凶"),
    _t("violence", r"打架|斗殴|打人|见血|流血了|在流血|满脸是血|头破血流|追着" + _NC + r"{0,6}打", veto=r"狗|犬|猫|当剑|打闹|闹着玩"),
    _t("violence", r"撬(?:我家|我们家)|(?:在|正在)(?:撬|砸|踹|捅|拧|掰|拨|别)(?:我家|我们家|家里|家|屋)?(?:的)?(?:门|锁|窗|锁眼|锁芯|门锁|防盗门)|(?:有人|外面|门外)(?:拿|用)" + _NC + r"{0,6}(?:撬|捅|拧|掰|拨)(?:我家|我们家|家里|家|屋)?(?:的)?(?:门|锁|锁眼|锁芯|门锁|防盗门)|闯进(?:我家|家里|屋里)|(?:小偷|有人)(?:在|正在)(?:偷|撬)"),
    # a break-in going on now: "有人在南门停车场砸车窗", "贼正在撬车"
    _t("violence", r"(?:(?:小偷|贼|有人|几个人)(?:正)?在|正在有人)" + _NC + r"{0,8}(?:砸|撬|掏|偷|拆)" + _NC + r"{0,4}(?:车|窗|玻璃|门|锁|东西|电瓶)",
       veto=r"次了|几次|经常|老是|总是|天天|每天|听说|没了"),
    _t("violence", r"在喊救命|一直喊救命|按在地上|在打(?:人|女的|老婆|孩子|老人)|在我家门口不走|跟到我家门口|门把手在(?:转|动)"
       r"|(?:在|正在)(?:开|撬|拧|推)(?:我家|我们家)|一家家推门|挨家挨户推门|阳台外面有人|窗外有人|看见人影|有人影"
       r"|进人了|家里进了人|躲在(?:卧室|卫生间|房间|厕所)|有人爬" + _NC + r"{0,3}窗|门被撬开|窗被撬开|卷闸门被撬|手电(?:筒)?(?:光)?在晃|打砸|砸我家门|踹门|围着" + _NC + r"{0,4}打",
       veto=r"经常|不是现在|每次|总是|老是"),
    _t("violence", r"放火|纵火|要点" + _NC + r"{0,6}门|泼汽油|跳楼|要跳下去|轻生"),
)

_CLAUSE_BREAK = re.compile(r"[，,。.!！?？；;：:~～…\n\s]+")
# Hypothetical markers before the trigger in its clause, or just after it.
_HYPO_BEFORE_STRONG = re.compile(
    r"万一|要是|如果|假如|假设|一旦|哪天|迟早|早晚|会不会|怕|担心|防止|避免|以防|预防|不然|否则|小心|难道|是否|"
    r"以为|新闻|听说|别的小区|别的城市|其他小区|网上|演练|培训|放话|扬言|威胁|吓唬|再(?!不)" + _NC + r"{0,10}就")
# "真着火了谁开得开" imagines a fire ("真的着火了" reports one); "跟着火了似的" compares.
_HYPO_JUST_BEFORE = re.compile(r"(?<!的)真(?:要|要是)?$|(?:跟|像|好像|仿佛)$")
_HYPO_BEFORE_WEAK = re.compile(r"会(?!所|议|员)|容易|可能")  # not for falling: "随时会掉下来" is the danger
_HYPO_AFTER = re.compile(  # "着火了谁都跑不了" imagines
    r"^[^，,。!！?？]{0,4}(?:的话|似的|一样|一般|都不知道|也不知道|谁都|都跑不|要往|隐患|风险|危险性|怎么办|咋整|咋办|往哪逃|往哪跑|怎么逃|谁负责|谁来负责|谁赔|的新闻|新闻|的视频)")
# Danger somewhere else, told as news: "我外婆家那个老小区水管爆了", "我们公司的电梯今天困人了".
_ELSEWHERE = re.compile(
    r"朋友(?:家|那)|亲戚家|同事家|(?<!物业)(?<!燃气)(?<!维保)(?<!电梯)(?<!供电)(?<!电力)(?<!水务)公司|单位|老家|"
    r"外婆家|奶奶家|姥姥家|姥爷家|爷爷家|外公家|爸妈家|我妈家|婆婆家|丈母娘家|隔壁小区|对面小区|人家小区|学校|商场|地铁")
_NEGATION = re.compile(r"(?:没有|没|不是|并非|无|未)[^，,。 ]{0,2}$|不$")
_PAST = re.compile(
    r"昨天|昨儿|昨个|昨晚|昨日|前天|前晚|大前天|上周|上礼拜|上星期|上个月|上月|上次|上回|之前|以前|去年|前年|"
    r"前几天|前两天|前些天|前阵子|前段时间|那次|那回|那天|那晚|那事|有一次|有次|曾经|当时|当初|那会儿|后来|小时候|小的时候|年轻时|年轻的时候")
_PRESENT = re.compile(r"现在|正在|还在|此刻|这会儿|刚刚|刚才|今天|今晚|今早|马上|赶紧|快来|救命|又")
_PERFECT_AFTER = re.compile(r"^(?:了)?过")  # "困过人", "着过火"
_STILL = re.compile(r"^[\s，,。]*" + _NC + r"{0,3}(?:还是|还有|没用|不管用|关不上|关不住)")
_RESOLVED: dict[str, re.Pattern[str]] = {
    "trapped": re.compile(r"(?:才|被)(?:救|弄|放|扒|拉)出来|(?:救|弄|放|扒|拉|接|抱|背)出来了|(?:总算|终于|已经|已|都|人)出来了|(?:爬|钻|挤)出来"),
    "gas": re.compile(r"(?:阀门?|总阀|气阀|燃气阀)" + _NC + r"{0,6}(?:关了|关上了|关掉了|关好了)|味(?:道)?都?(?:散了|没了)|(?:已经|已)(?:修好|处理好)"),
    "fire": re.compile(r"(?<!没)(?:灭了|扑灭了|熄灭了|浇灭了)"),
    "wires": re.compile(r"(?:已经|已)(?:断电|拉闸|修好|处理好)|(?:缠上|包上|包好|缠好)了"),
    "flood": re.compile(r"(?:总阀|阀门|水阀|总闸|闸)" + _NC + r"{0,6}(?:关了|关上了|关掉了|关好了|拧上了)|水(?:现在|已经|已|也)?(?:退了|停了|止住了|不流了|不喷了|不漏了)|(?:已经|已)(?:修好|堵上|止住)"),
    "falling": re.compile(r"(?:已经|已)(?:拆|取|固定|加固|挪|搬)(?:下来|走|好)"),
    "violence": re.compile(r"(?:已经|已)(?:走了|跑了|被抓|抓住|制服|被带走)"),
    "life_support": re.compile(r"(?:来电了|电来了|恢复供电|已经来电|接上了备用电)"),
}
_RESOLVED_ANY = re.compile(r"没事了|说没事|说没漏|查过了|现在好了|修好了|处理好了|解决了|已经好了|危险解除")


def _clauses(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for brk in _CLAUSE_BREAK.finditer(text):
        if brk.start() > start:
            spans.append((start, brk.start()))
        start = brk.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _why_dismissed(text: str, trigger: _Trigger, match: re.Match[str],
                   clauses: list[tuple[int, int]]) -> str | None:
    index = next((i for i, (s, e) in enumerate(clauses) if s <= match.start() < e), len(clauses) - 1)
    c_start, c_end = clauses[index]
    before = text[c_start:match.start()]
    after = text[match.end():c_end]
    reason = trigger.reason

    if trigger.veto and trigger.veto.search(text):
        return "context"
    if _NEGATION.search(before):
        return "negated"
    if _HYPO_BEFORE_STRONG.search(before) or _HYPO_AFTER.search(after) or _HYPO_JUST_BEFORE.search(before):
        return "hypothetical"
    if _ELSEWHERE.search(before):
        return "elsewhere"
    if reason != "falling" and _HYPO_BEFORE_WEAK.search(before):
        return "hypothetical"
    if _PERFECT_AFTER.match(after) and not _PRESENT.search(text[c_start:c_end]):
        return "past"
    # The nearest clause, at or before the trigger, that carries a time word decides.
    for i in range(index, -1, -1):
        clause = text[clauses[i][0]:clauses[i][1]]
        past, present = _PAST.search(clause), _PRESENT.search(clause)
        if present:
            break
        if past:
            return "past"
    rest = text[match.end():]
    for pattern in (_RESOLVED[reason], _RESOLVED_ANY):
        for resolved in pattern.finditer(rest):
            if not _STILL.match(rest[resolved.end():]):
                return "resolved"
    return None


def detect_urgency(text: str) -> Urgency:
    """Is someone's life or home in danger right now, and why."""
    norm = normalise(text)
    clauses = _clauses(norm)
    if not clauses:
        return Urgency(False)
    hits = sorted(
        ((m.start(), n, trigger, m) for n, trigger in enumerate(TRIGGERS)
         for m in trigger.pattern.finditer(norm)
         if all(need.search(norm) for need in trigger.needs)),
        key=lambda hit: (hit[0], hit[1]),
    )
    dismissed: list[tuple[str, str, str]] = []
    for _, _, trigger, match in hits:
        why = _why_dismissed(norm, trigger, match, clauses)
        if why is None:
            return Urgency(True, trigger.reason, match.group(0), tuple(dismissed))
        dismissed.append((trigger.reason, match.group(0), why))
    return Urgency(False, None, None, tuple(dismissed))
